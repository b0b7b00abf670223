//! Outbound HTTP to the services GPTImg depends on: Google, Stripe (APIPod to come).

pub mod google;
pub mod stripe;

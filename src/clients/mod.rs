//! Outbound HTTP to the services GPTImg depends on: Google, Stripe and APIPod.

pub mod apipod;
pub mod google;
pub mod stripe;

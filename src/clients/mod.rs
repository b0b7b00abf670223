//! Outbound HTTP to the services GPTImg depends on: Google, Stripe and APIPod.

pub mod google;
pub mod stripe;
pub mod apipod;

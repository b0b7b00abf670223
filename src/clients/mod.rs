//! Outbound HTTP to the services GPTImg depends on (Google now; Stripe and APIPod later).

pub mod google;

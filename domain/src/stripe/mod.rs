//! Stripe: webhook signature verification and the interpretation of the events GPTImg acts on.

pub mod event;
pub mod signature;

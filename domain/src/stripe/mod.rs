//! Stripe: webhook signature verification and the interpretation of the events GPTImg acts on.

pub mod envelope;
pub mod event;
pub mod head;
pub mod signature;

/// The Stripe API version GPTImg speaks: sent as `Stripe-Version` on every API call, and the version the webhook
/// endpoint must be created with (so events arrive in the shapes `event` reads). Equal to the `ApiVersion` of the
/// pinned `stripe` npm devDependency whose types check the test stand-in (tests/e2e/stripe-contract.test.mjs).
pub const API_VERSION: &str = "2026-10-28.endive";

#[cfg(test)]
mod contract_tests;

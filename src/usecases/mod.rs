//! Use cases: one function per thing a user, provider or the scheduler asks of us; handlers parse, call one, render.

pub mod account_deletion;
pub mod admin;
pub mod api_keys;
pub mod checkout;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod featured;
pub mod gallery;
pub mod generations;
pub mod idempotent;
pub mod profile;
pub mod sign_in;
pub mod stripe_events;
pub mod support;
pub mod sweep;
pub mod uploads;

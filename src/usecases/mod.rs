//! Use cases: one function per thing a user, provider or the scheduler asks of us; handlers parse, call one, render.

pub mod account_deletion;
pub mod admin;
pub mod api_keys;
pub mod background;
pub mod checkout;
pub mod credits;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod featured;
pub mod gallery;
pub mod generations;
pub mod idempotent;
pub mod images;
pub mod profile;
pub mod session;
pub mod sign_in;
pub mod stripe_events;
pub mod support;
pub mod sweep;
pub mod uploads;

/// The D1 handle a use case works on; the http layer opens one per request.
pub use crate::store::Db;

/// The R2 bucket of uploads and images; the http layer opens it per request, as it does D1.
pub use crate::blobs::bucket;

//! GPTImg business rules: pure Rust with no runtime dependencies; time and randomness come in as arguments.

pub mod account;
pub mod auth;
pub mod billing;
pub mod catalogue;
pub mod config;
pub mod email;
pub mod error;
pub mod ids;
pub mod ledger;
pub mod stripe;
pub mod time;
pub mod url;

pub use error::{DomainError, ErrorKind};

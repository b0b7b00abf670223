//! GPTImg business rules: pure Rust with no runtime dependencies; time and randomness come in as arguments.

pub mod account;
pub mod admin;
pub mod api;
pub mod apipod;
pub mod auth;
pub mod billing;
pub mod config;
pub mod csp;
pub mod csrf;
#[cfg(test)]
mod cycle_tests;
pub mod dashboard;
pub mod email;
pub mod error;
pub mod gallery;
pub mod generation;
pub mod hex;
pub mod html;
pub mod idempotency;
pub mod ids;
pub mod images;
#[cfg(test)]
mod layering_tests;
pub mod links;
pub mod mac;
pub mod named_params;
#[cfg(test)]
mod props;
pub mod retention;
pub mod routes;
#[cfg(test)]
mod rust_source;
mod serde_str;
#[cfg(test)]
mod source_graph;
#[cfg(test)]
mod source_tree;
#[cfg(test)]
mod sql_status_scan;
pub mod stripe;
pub mod support;
mod text;
pub mod time;
pub mod url;

pub use error::{Cause, DomainError, ErrorKind};

//! GPTImg business rules: pure Rust with no runtime dependencies; time and randomness come in as arguments.

pub mod account;
pub mod api_key;
pub mod apipod;
pub mod audit;
pub mod auth;
pub mod avatar;
pub mod billing;
pub mod catalogue;
pub mod config;
pub mod csp;
pub mod csrf;
#[cfg(test)]
mod cycle_tests;
pub mod dashboard;
pub mod dashboard_report;
mod dashboard_rows;
#[cfg(test)]
mod dashboard_tests;
pub mod deletion;
pub mod email;
pub mod error;
pub mod featured;
pub mod gallery;
pub mod generation;
pub mod hex;
pub mod html;
pub mod idempotency;
pub mod ids;
pub mod image_sizes;
pub mod images;
pub mod images_stream;
#[cfg(test)]
mod layering_tests;
pub mod ledger;
pub mod links;
pub mod mac;
pub mod models;
#[cfg(test)]
mod openapi_tests;
pub mod privacy;
#[cfg(test)]
mod props;
pub mod routes;
mod serde_str;
pub mod share_card;
#[cfg(test)]
mod source_tree;
#[cfg(test)]
mod sql_status_scan;
pub mod stripe;
pub mod subscription;
pub mod time;
pub mod uploads;
pub mod url;

pub use error::{Cause, DomainError, ErrorKind};

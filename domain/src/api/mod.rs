//! The JSON bodies of the public API as they go over the wire: what the Worker serialises and reads, and what
//! `openapi/openapi.json`'s schemas are generated from (`document`, a native test). The Worker builds them from its
//! rows; they only borrow.

pub mod error;
pub mod generations;
pub mod models;
pub mod uploads;

#[cfg(test)]
mod document;
#[cfg(test)]
pub(crate) mod schema;

//! Property tests for every parser that reads outside input: arbitrary input never panics, what we encode parses
//! back to itself, signatures hold exactly when nothing was changed, and parsed values keep their invariants.

mod api_keys;
mod gallery;
mod images;
mod inputs;
mod providers;

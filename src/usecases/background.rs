//! The background port: work a use case leaves to run after the answer is sent; the entry point decides how.

use std::future::Future;
use std::pin::Pin;

/// A piece of work that settles on its own, whatever happens.
pub type Work = Pin<Box<dyn Future<Output = ()>>>;

/// Where a use case hands work that must not hold up the caller (the http layer runs it in `waitUntil`).
pub trait Background {
    fn run_later(&self, work: Work);
}

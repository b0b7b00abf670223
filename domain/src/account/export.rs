//! A user's data export: how long its signed links work, and how much of D1 one export reads.

/// The export's signed links to uploads and images work this long (a fresh export gives fresh ones).
pub const EXPORT_LINK_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;
/// D1 queries one export makes at most (one per page of a category), well inside an invocation's subrequests;
/// an account larger than that gets a document marked `incomplete`.
pub const EXPORT_MAX_PAGES: u32 = 900;

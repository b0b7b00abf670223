//! The operator dashboard's rules: which UTC days a request covers, the series it may ask for, filling the days
//! without rows with zeros, percentiles from a duration histogram, and CSV cells.

pub mod report;
mod rows;
#[cfg(test)]
mod tests;

use crate::error::{DomainError, ErrorKind};
use crate::time::UnixMillis;

pub const DAY_MS: i64 = 86_400_000;
pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 90;

/// The UTC days a dashboard covers: `days` whole days ending with today (today included, so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Days since 1970-01-01 of the first day covered.
    pub first_day: i64,
    pub days: i64,
}

impl Window {
    /// `?days=` as given (absent: 30); anything but a whole number 1–90 is `invalid_days`.
    pub fn parse(raw: Option<&str>, now: UnixMillis) -> Result<Self, DomainError> {
        let days = match raw {
            None => DEFAULT_DAYS,
            Some(text) => {
                text.parse::<i64>().ok().filter(|d| (1..=MAX_DAYS).contains(d) && !text.starts_with('+')).ok_or_else(
                    || DomainError::bad_request("invalid_days", "days must be a whole number from 1 to 90."),
                )?
            }
        };
        Ok(Self { first_day: now.0.div_euclid(DAY_MS) - days + 1, days })
    }

    /// The last day covered (today), as days since the epoch.
    pub fn last_day(self) -> i64 {
        self.first_day + self.days - 1
    }

    /// Every day covered, oldest first, as days since the epoch.
    pub fn day_numbers(self) -> impl Iterator<Item = i64> {
        self.first_day..self.first_day + self.days
    }
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01, UTC); the proleptic Gregorian calendar.
pub fn iso_date(day: i64) -> String {
    // Howard Hinnant's days_from_civil inverse: eras of 400 years, March-based years so leap days come last.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// One value per day of the window, oldest first: the rows' values where a row has that day, `T::default()`
/// (zeros) where none does. Rows outside the window are ignored; several rows for one day are merged.
pub fn fill_days<T: Default + Clone>(
    window: Window,
    rows: impl IntoIterator<Item = (i64, T)>,
    merge: impl Fn(&mut T, T),
) -> Vec<(i64, T)> {
    let mut filled: Vec<(i64, T)> = window.day_numbers().map(|day| (day, T::default())).collect();
    for (day, value) in rows {
        if let Some(slot) = usize::try_from(day - window.first_day).ok().and_then(|i| filled.get_mut(i)) {
            merge(&mut slot.1, value);
        }
    }
    filled
}

/// The nearest-rank `percent`th percentile of a histogram of `(bucket, count)` pairs (any order): the smallest
/// bucket whose cumulative count reaches `ceil(percent/100 × total)`. `None` for an empty histogram. Quadratic in
/// the number of buckets (a few hundred at most) rather than sorting: no sort code in the Worker bundle.
pub fn percentile(histogram: &[(i64, i64)], percent: u8) -> Option<i64> {
    let total: i64 = histogram.iter().map(|(_, n)| (*n).max(0)).sum();
    let rank = ((i64::from(percent.min(100)) * total + 99) / 100).max(1);
    let at_or_below =
        |bucket: i64| histogram.iter().filter(|(b, _)| *b <= bucket).map(|(_, n)| (*n).max(0)).sum::<i64>();
    histogram.iter().filter(|(_, n)| *n > 0).map(|(b, _)| *b).filter(|b| at_or_below(*b) >= rank).min()
}

/// The series a dashboard has, each also downloadable as CSV (`/api/admin/dashboard/{name}.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Revenue,
    Credits,
    Generations,
    Models,
    FailureCodes,
    Attention,
    Deletions,
}

impl Series {
    pub const ALL: [Self; 7] = [
        Self::Revenue,
        Self::Credits,
        Self::Generations,
        Self::Models,
        Self::FailureCodes,
        Self::Attention,
        Self::Deletions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revenue => "revenue",
            Self::Credits => "credits",
            Self::Generations => "generations",
            Self::Models => "models",
            Self::FailureCodes => "failure_codes",
            Self::Attention => "attention",
            Self::Deletions => "deletions",
        }
    }

    /// The series a `{name}.csv` path segment names; anything else is `series_not_found`.
    pub fn from_csv_segment(segment: &str) -> Result<Self, DomainError> {
        segment
            .strip_suffix(".csv")
            .and_then(|name| Self::ALL.into_iter().find(|s| s.as_str() == name))
            .ok_or_else(|| DomainError::new(ErrorKind::NotFound, "series_not_found", "There is no such series."))
    }
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a spreadsheet would run as
/// a formula (`=`, `+`, `-`, `@` first) gets a leading `'`: failure codes and event types come from outside.
pub fn csv_text(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A CSV document: the header row, then one line per row, CRLF line ends.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

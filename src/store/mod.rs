//! D1 access: SQL in named consts beside the function that runs it; multi-step changes as one batch.

pub mod accounts;
pub mod admin;
pub mod admission;
pub mod api_keys;
pub mod billing;
pub mod billing_problems;
mod completion;
pub mod dashboard;
pub mod event_record;
pub mod export;
pub mod featured;
pub mod gallery;
pub mod gallery_bulk;
pub mod gallery_list;
pub mod generations;
pub mod idempotency;
pub mod invoice_payments;
pub mod ledger;
pub mod privacy;
pub mod r2_deletions;
pub mod renditions;
pub mod retention;
pub mod reversals;
pub mod sessions;
pub mod share_pages;
pub mod stuck_deletions;
pub mod support;
pub mod uploads;

use gptimg_domain::named_params::{number, NumberedSql};
use worker::wasm_bindgen::JsValue;

/// Applies the ledger entry `?1` to its account's balance; when the entry was not written (a replay hit the
/// UNIQUE cause key), it changes nothing. Every credit movement goes through this, in the entry's batch.
pub const APPLY_LEDGER_ENTRY: &str =
    "UPDATE accounts SET credits = credits + (SELECT amount FROM credit_ledger WHERE id = ?1) \
 WHERE id = (SELECT account_id FROM credit_ledger WHERE id = ?1)";

pub fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

pub fn int(value: i64) -> JsValue {
    // D1 numbers are JS doubles; our integers (ms timestamps, credits) stay far below 2^53.
    JsValue::from_f64(value as f64)
}

pub fn opt_text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

pub fn opt_int(value: Option<i64>) -> JsValue {
    value.map_or(JsValue::NULL, int)
}

/// A value as JSON text, for SQL that reads it with `json_each` (lists of ids or keys).
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> worker::Result<JsValue> {
    serde_json::to_string(value).map(|json| text(&json)).map_err(|e| worker::Error::RustError(e.to_string()))
}

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// `#[serde(deserialize_with = "sqlite_bool")]`: SQLite's booleans are the integers 0 and 1.
pub fn sqlite_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(i64::deserialize(deserializer)? != 0)
}

/// `#[serde(deserialize_with = "json_column")]` for a column holding JSON text (SQLite's `json_object` or
/// `json_group_array`, or a JSON-encoded value): parsed here, once, into its type; NULL gives the type's default.
pub fn json_column<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    match Option::<String>::deserialize(deserializer)? {
        Some(raw) => serde_json::from_str(&raw).map_err(D::Error::custom),
        None => Ok(T::default()),
    }
}

use crate::meter::{self, Kind};

/// D1 with each round trip counted for the invocation making it (`meter`), so each log line says how many it
/// made (budget: as few as the logic allows).
pub struct Db {
    inner: D1Database,
}

impl Db {
    pub fn new(inner: D1Database) -> Self {
        Self { inner }
    }

    /// For work outside a request (queue, cron); counted all the same.
    pub fn from_env(env: &worker::Env) -> worker::Result<Self> {
        Ok(Self::new(env.d1("DB")?))
    }

    fn tick(&self) {
        meter::count(Kind::D1);
    }

    pub fn prepare(&self, sql: impl Into<String>) -> D1PreparedStatement {
        self.inner.prepare(sql)
    }

    /// A statement whose SQL names its parameters (`:account`), bound by name (`named_params`); each text is
    /// numbered once per isolate.
    pub fn named(&self, sql: &'static str, binds: &[(&str, JsValue)]) -> worker::Result<D1PreparedStatement> {
        let numbered = numbered(sql);
        let values: Vec<JsValue> =
            numbered.order(binds).map_err(worker::Error::RustError)?.into_iter().cloned().collect();
        self.inner.prepare(numbered.sql.as_str()).bind(&values)
    }

    pub async fn batch(&self, statements: Vec<D1PreparedStatement>) -> worker::Result<Vec<D1Result>> {
        self.tick();
        self.inner.batch(statements).await
    }

    pub async fn first<T: DeserializeOwned>(&self, statement: D1PreparedStatement) -> worker::Result<Option<T>> {
        self.tick();
        statement.first::<T>(None).await
    }

    pub async fn all(&self, statement: D1PreparedStatement) -> worker::Result<D1Result> {
        self.tick();
        statement.all().await
    }

    pub async fn run(&self, statement: D1PreparedStatement) -> worker::Result<D1Result> {
        self.tick();
        statement.run().await
    }

    /// Runs an UPDATE or INSERT and says whether it changed a row. (Not for cascading DELETEs: D1 reports no
    /// changes for those; use `RETURNING`.)
    pub async fn run_changed(&self, statement: D1PreparedStatement) -> worker::Result<bool> {
        let result = self.run(statement).await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0)
    }
}

thread_local! {
    // A handful of statements, looked up by a short scan: a HashMap here cost more wasm than it saved time.
    static NUMBERED: std::cell::RefCell<Vec<((usize, usize), std::rc::Rc<NumberedSql>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `sql` numbered, from the isolate's cache (keyed by the static text's address and length).
fn numbered(sql: &'static str) -> std::rc::Rc<NumberedSql> {
    let key = (sql.as_ptr() as usize, sql.len());
    NUMBERED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, found)) = cache.iter().find(|(at, _)| *at == key) {
            return found.clone();
        }
        let made = std::rc::Rc::new(number(sql));
        cache.push((key, made.clone()));
        made
    })
}

/// Where the first page starts: a cursor past every row (created_at values are milliseconds, far below 2^53), so a
/// page query can always read its cursor as a range on its index.
const PAGE_START: (i64, &str) = (1 << 53, "~");

/// One newest-first page of `sql` (which binds account ?1, the cursor's time ?2 and id ?3, `LIMIT ?4`, then
/// `filters` from ?5 on): fetches one extra row to learn whether there is a next page, and returns the cursor to it.
pub async fn newest_first_page<T: DeserializeOwned>(
    db: &Db,
    sql: &'static str,
    account_id: &str,
    cursor: Option<&gptimg_domain::billing::ledger::Cursor>,
    limit: u32,
    filters: &[JsValue],
    cursor_of: impl Fn(&T) -> gptimg_domain::billing::ledger::Cursor,
) -> worker::Result<(Vec<T>, Option<gptimg_domain::billing::ledger::Cursor>)> {
    let (after_time, after_id) = cursor.map_or(PAGE_START, |c| (c.created_at, c.id.as_str()));
    let mut binds = vec![text(account_id), int(after_time), text(after_id), int(i64::from(limit) + 1)];
    binds.extend_from_slice(filters);
    let mut rows: Vec<T> = db.all(db.prepare(sql).bind(&binds)?).await?.results()?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if has_more { rows.last().map(cursor_of) } else { None };
    Ok((rows, next))
}

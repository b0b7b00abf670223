//! The operator dashboard's aggregates: seven GROUP BY queries (`sql/dashboard/*.sql`, each reading an index of
//! migration 0014 over the window's days, bound as `?1` first and `?2` last day number) sent to D1 as ONE batch,
//! so the whole dashboard is one round trip.

use gptimg_domain::dashboard::report::Aggregates;
use gptimg_domain::dashboard::Window;
use serde_json::Value;

use super::{int, Db};

const REVENUE: &str = include_str!("sql/dashboard/revenue.sql");
const LEDGER: &str = include_str!("sql/dashboard/ledger.sql");
const STATUSES: &str = include_str!("sql/dashboard/statuses.sql");
const MODELS: &str = include_str!("sql/dashboard/models.sql");
const FAILURE_CODES: &str = include_str!("sql/dashboard/failure_codes.sql");
const ATTENTION: &str = include_str!("sql/dashboard/attention.sql");
const DELETIONS: &str = include_str!("sql/dashboard/deletions.sql");

pub async fn aggregates(db: &Db, window: Window) -> worker::Result<Aggregates> {
    let range = [int(window.first_day), int(window.last_day())];
    let results = db
        .batch(vec![
            db.prepare(REVENUE).bind(&range)?,
            db.prepare(LEDGER).bind(&range)?,
            db.prepare(STATUSES).bind(&range)?,
            db.prepare(MODELS).bind(&range)?,
            db.prepare(FAILURE_CODES).bind(&range)?,
            db.prepare(ATTENTION),
            db.prepare(DELETIONS),
        ])
        .await?;
    let [revenue, ledger, statuses, models, failure_codes, attention, deletions] = results.as_slice() else {
        return Err(worker::Error::RustError(format!("dashboard batch returned {} results, not 7", results.len())));
    };
    let rows = |result: &worker::D1Result| result.results::<Value>();
    Ok(Aggregates::from_rows([
        rows(revenue)?,
        rows(ledger)?,
        rows(statuses)?,
        rows(models)?,
        rows(failure_codes)?,
        rows(attention)?,
        rows(deletions)?,
    ]))
}

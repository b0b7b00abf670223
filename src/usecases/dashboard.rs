//! The operator dashboard: the window's aggregates from D1 (one batch), assembled into series by the domain.

use gptimg_domain::dashboard::report::Dashboard;
use gptimg_domain::dashboard::Window;
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::store::{dashboard as store, Db};

pub async fn dashboard(db: &Db, window: Window, now: UnixMillis) -> Result<Dashboard, CoreError> {
    let aggregates = store::aggregates(db, window).await?;
    Ok(Dashboard::assemble(window, now, aggregates))
}

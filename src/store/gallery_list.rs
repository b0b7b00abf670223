//! The gallery's filtered, newest-first pages: each filter walks its own index (`GalleryFilter::index`) from the
//! cursor on, so a page costs the same at item 20 as at item 5,000.

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::Cursor;
use gptimg_domain::gallery::{GalleryFilter, GalleryIndex};

use super::gallery::{generation_select, GenerationRow};
use super::{opt_text, Db};

// Each `sql/gallery/page_*.sql` follows `FROM generations g` (a fragment, so kept apart from the whole statements in
// `sql/`; tests/e2e/gallery.test.mjs checks its plan) and binds as `newest_first_page` does: ?1 account, ?2/?3 the
// cursor's (created_at, id), ?4 limit, then ?5 the folded prompt search or NULL, ?6 the model or NULL. `INDEXED BY`
// pins the plan: with statistics, SQLite may otherwise prefer the account index over the small favourites one and
// walk every row of a large gallery to find a few favourites. The row-value comparison is a range on each index's
// (created_at DESC, id DESC) tail, so a page starts at the cursor instead of skipping to it.
//
// The prompt search has no index: `instr` over the account's rows in index order stops once a page is full, so it
// reads only as many rows as it takes to find one page of matches (at most the account's rows; measured at 5,000 in
// BENCHMARKS.md). A full-text index would cost a write on every generation for a filter used rarely, and FTS
// tokens do not give the substring matching people expect of a search box.
const BY_ACCOUNT: &str = concat!(generation_select!(), include_str!("sql/gallery/page_by_account.sql"));
const BY_MODEL: &str = concat!(generation_select!(), include_str!("sql/gallery/page_by_model.sql"));
const FAVOURITES: &str = concat!(generation_select!(), include_str!("sql/gallery/page_favourites.sql"));

fn page_sql(index: GalleryIndex) -> &'static str {
    match index {
        GalleryIndex::Account => BY_ACCOUNT,
        GalleryIndex::Model => BY_MODEL,
        GalleryIndex::Favourites => FAVOURITES,
    }
}

/// One page of the caller's generations matching `filter`, newest first, and the cursor to the next.
pub async fn page(
    db: &Db,
    account_id: &AccountId,
    filter: &GalleryFilter,
    cursor: Option<&Cursor>,
    limit: u32,
) -> worker::Result<(Vec<GenerationRow>, Option<Cursor>)> {
    let filters = [opt_text(filter.search.as_ref().map(|s| s.as_str())), opt_text(filter.model.as_deref())];
    let sql = page_sql(filter.index());
    super::newest_first_page(db, sql, account_id.as_str(), cursor, limit, &filters, |row: &GenerationRow| Cursor {
        created_at: row.created_at,
        id: row.id.as_str().to_owned(),
    })
    .await
}

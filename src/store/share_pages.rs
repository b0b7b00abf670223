//! Share pages in D1: turning a generation's public link on (with the owner's prompt choice) and what its public
//! page shows.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{GenerationId, ImageId};
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::{int, sqlite_bool, text, Db};

// An existing token is kept; the prompt choice is whatever the owner chose last.
const SET_SHARE: &str = "UPDATE generations SET share_token = COALESCE(share_token, ?3), share_shows_prompt = ?5, \
 updated_at = ?4 WHERE id = ?1 AND account_id = ?2 AND status = 'succeeded'";

/// The statement that turns the link on, for `gallery::share` to read the generation back in the same batch.
pub fn set_share(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
    new_token: &str,
    show_prompt: bool,
    now: UnixMillis,
) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare(SET_SHARE).bind(&[
        text(id.as_str()),
        text(account_id.as_str()),
        text(new_token),
        int(now.0),
        int(i64::from(show_prompt)),
    ])
}

/// What a public share page shows: the first image's medium (or the original until it is made) and, only if
/// the owner chose it, the prompt.
#[derive(Debug, Deserialize)]
pub struct SharedGeneration {
    pub prompt: String,
    #[serde(deserialize_with = "sqlite_bool")]
    pub share_shows_prompt: bool,
    pub model_id: String,
    pub image_id: ImageId,
    pub medium_etag: Option<String>,
    pub width: i64,
    pub height: i64,
}

// An account whose deletion has begun shares nothing from that moment, though its rows may take a few cron runs
// to be erased.
const BY_TOKEN: &str = "SELECT g.prompt, g.share_shows_prompt, g.model_id, i.id AS image_id, i.medium_etag, \
 CASE WHEN i.medium_key IS NOT NULL AND i.medium_width IS NOT NULL THEN i.medium_width ELSE i.width END AS width, \
 CASE WHEN i.medium_key IS NOT NULL AND i.medium_height IS NOT NULL THEN i.medium_height ELSE i.height END AS height \
 FROM generations g JOIN generation_images i ON i.generation_id = g.id \
 WHERE g.share_token = ?1 AND g.status = 'succeeded' \
 AND (SELECT deletion_started_at FROM accounts WHERE id = g.account_id) IS NULL ORDER BY i.position LIMIT 1";

/// The generation shared under `token`; `None` once revoked (or never issued).
pub async fn by_token(db: &Db, token: &str) -> worker::Result<Option<SharedGeneration>> {
    db.first::<SharedGeneration>(db.prepare(BY_TOKEN).bind(&[text(token)])?).await
}

//! The full export in D1: each category of a person's data, read page by page by keyset, and the document's frame.

use gptimg_domain::account::AccountId;
use gptimg_domain::time::UnixMillis;
use serde_json::{json, Value};

use super::{int, text, Db};

/// One category of the export: its rows, newest first. A paged category is read `EXPORT_PAGE_ROWS` at a time by its
/// (`created_at`, `id`) keyset (binds: account ?1, cursor ?2 ?3, `LIMIT` ?4); the others are small by the product's
/// own limits and read in one query (bind: account ?1).
pub struct ExportCategory {
    pub name: &'static str,
    sql: &'static str,
    paged: bool,
}

/// Rows per page of a paged category: one D1 query each, so memory holds one page, never the account.
pub const EXPORT_PAGE_ROWS: i64 = 500;

const fn paged(name: &'static str, sql: &'static str) -> ExportCategory {
    ExportCategory { name, sql, paged: true }
}
const fn whole(name: &'static str, sql: &'static str) -> ExportCategory {
    ExportCategory { name, sql, paged: false }
}

/// Every category the privacy policy lists, in the document's order.
pub const EXPORT_CATEGORIES: [ExportCategory; 10] = [
    // Balances as the person sees them everywhere else: net of a recorded debt (negative while one is open).
    whole("account", "SELECT id, email, name, picture_url, credits - credit_debt AS credits, credit_debt, created_at, updated_at, last_sign_in_at, stripe_customer_id, \
     terms_version, terms_accepted_at, age_confirmed_at FROM accounts WHERE id = ?1"),
    paged("sessions", "SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE account_id = ?1 \
     AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("generations", "SELECT g.id, g.prompt, g.model_id, g.aspect_ratio, g.quality, g.reference_upload_ids, g.cost, g.status, \
     g.failure_code, g.failure_message, g.share_token IS NOT NULL AS shared, g.created_at, g.finished_at, \
     g.batch_id, g.reference_image_ids, g.share_shows_prompt, g.favourite, \
     (SELECT COALESCE(json_group_array(json_object('id', i.id, 'content_type', i.content_type, 'width', i.width, 'height', i.height, \
     'size_bytes', i.size_bytes, \
     'medium', json(CASE WHEN i.medium_key IS NOT NULL THEN json_object('content_type', 'image/webp', 'width', i.medium_width, \
     'height', i.medium_height, 'size_bytes', i.medium_bytes) END), \
     'preview', json(CASE WHEN i.preview_key IS NOT NULL THEN json_object('content_type', 'image/webp', 'width', i.preview_width, \
     'height', i.preview_height, 'size_bytes', i.preview_bytes) END))), '[]') FROM generation_images i WHERE i.generation_id = g.id) AS images \
     FROM generations g INDEXED BY generations_by_account WHERE g.account_id = ?1 AND (g.created_at, g.id) < (?2, ?3) \
     ORDER BY g.created_at DESC, g.id DESC LIMIT ?4"),
    paged("uploads", "SELECT id, content_type, size_bytes, sha256, width, height, created_at, last_used_at FROM uploads \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("credit_ledger", "SELECT id, kind, source_id, amount, balance_after - debt_after AS balance_after, debt_after, description, \
     created_at FROM credit_ledger \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("payments", "SELECT id, plan_id, kind, cause_id, stripe_payment_intent_id, stripe_subscription_id, amount_cents, currency, \
     credits_granted, credits_reclaimed, amount_reversed_cents, status, created_at, updated_at FROM payments \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    whole("subscriptions", "SELECT id, customer_id, plan_id, status, current_period_end, cancel_at_period_end, updated_at FROM subscriptions WHERE account_id = ?1"),
    whole("support_messages", "SELECT id, email, subject, message, status, created_at, updated_at FROM support_messages \
     WHERE account_id = ?1 OR email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY created_at DESC"),
    whole("support_replies", "SELECT r.message_id, r.body, r.created_at FROM support_replies r JOIN support_messages m ON m.id = r.message_id \
     WHERE m.account_id = ?1 OR m.email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY r.created_at"),
    // Metadata only: the key's hash (let alone its secret) is never exported.
    whole("api_keys", "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE account_id = ?1 ORDER BY created_at DESC"),
];

/// Where a paged category goes on from: the last row's (`created_at`, `id`).
#[derive(Debug, Clone)]
pub struct ExportCursor {
    pub created_at: i64,
    pub id: String,
}

/// One page of `category`: its rows (JSON columns parsed) and the cursor to the next page, `None` when this was
/// the last.
pub async fn export_page(
    db: &Db,
    category: &ExportCategory,
    account_id: &AccountId,
    after: Option<&ExportCursor>,
) -> worker::Result<(Vec<Value>, Option<ExportCursor>)> {
    let statement = if category.paged {
        let (created_at, id) = after.map_or(super::PAGE_START, |c| (c.created_at, c.id.as_str()));
        db.prepare(category.sql).bind(&[text(account_id), int(created_at), text(id), int(EXPORT_PAGE_ROWS)])?
    } else {
        db.prepare(category.sql).bind(&[text(account_id)])?
    };
    let mut rows = db.all(statement).await?.results::<Value>()?;
    rows.iter_mut().for_each(parse_json_columns);
    let next = match (category.paged, rows.len() as i64 == EXPORT_PAGE_ROWS, rows.last()) {
        (true, true, Some(last)) => Some(ExportCursor {
            created_at: last["created_at"].as_i64().unwrap_or_default(),
            id: last["id"].as_str().unwrap_or_default().to_owned(),
        }),
        _ => None,
    };
    Ok((rows, next))
}

/// Generation columns holding JSON text: the export shows them as JSON (an empty or unreadable one as `[]`).
const EXPORT_JSON_COLUMNS: [&str; 3] = ["images", "reference_upload_ids", "reference_image_ids"];

fn parse_json_columns(row: &mut Value) {
    for column in EXPORT_JSON_COLUMNS {
        if let Some(cell) = row.get_mut(column) {
            *cell = cell.as_str().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_else(|| json!([]));
        }
    }
}

/// The export document around its `data`: what it is and when its links expire, before; what derived data it
/// holds and what is kept after deletion, after. `data` is streamed between the two (`usecases::export`).
pub fn export_frame(now: UnixMillis, links_expire_at_secs: i64) -> (String, String) {
    let head = json!({ "exported_at": now.0, "format": "gptimg-export-v1", "links_expire_at": links_expire_at_secs });
    let tail = json!({
    "links": "Each upload's and image's `download_url` is a signed link to its bytes that works without signing in \
     until `links_expire_at` (Unix seconds); export again for fresh links. `url` is the image in the app, for you \
     signed in.",
    "derived_data": {
        "image_renditions": "Each generated image's `medium` and `preview` are smaller WebP copies made from it for \
         faster pages. They hold nothing the image does not, and are deleted with it."
    },
    "retained_after_deletion": {
        "signup_grant": "For fraud prevention we keep a keyed one-way hash (HMAC-SHA256) of your Google account id \
         once you have received the sign-up credits, also after you delete your account, so that the sign-up \
         credits are given once per Google account. It cannot be turned back into your Google account id."
    } });
    // `{"exported_at":…,"links_expire_at":…` + `,"data":{` … `}` + `,"links":…}`.
    let head = head.to_string();
    let tail = tail.to_string();
    (format!("{},\"data\":{{", &head[..head.len() - 1]), format!("}},{}", &tail[1..]))
}

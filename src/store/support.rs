//! Support messages and replies in D1: sending, the user's own and the admin inbox, replies, status.

use gptimg_domain::account::AccountId;
use gptimg_domain::ids::{SupportMessageId, SupportReplyId};
use gptimg_domain::support::{
    SupportMessage, SupportStatus, ANONYMOUS_SUPPORT_MESSAGES_PER_IP_PER_HOUR, SUPPORT_MESSAGES_PER_HOUR,
};
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::wasm_bindgen::JsValue;

use super::admin::{audit, AuditEntry};
use super::{int, json_column, opt_text, text, Db};

// Rate limited inside the insert itself: per sender (account or email), and for anonymous messages (?8 set) also per
// client network, so a new email per message does not lift the limit.
const INSERT_MESSAGE: &str = "INSERT INTO support_messages \
 (id, account_id, email, subject, message, status, created_at, updated_at, sender_ip_hash) \
 SELECT ?1, ?2, ?3, ?4, ?5, 'open', ?6, ?6, ?8 WHERE (SELECT COUNT(*) FROM support_messages \
 WHERE (account_id = ?2 OR email = ?3) AND created_at > ?6 - 3600000) < ?7 \
 AND (?8 IS NULL OR (SELECT COUNT(*) FROM support_messages \
 WHERE sender_ip_hash = ?8 AND created_at > ?6 - 3600000) < ?9) RETURNING id";

// The network hash is only needed for the hour the limit looks back; each new message and every cron run clear
// the expired ones.
const FORGET_SENDER_HASHES: &str = include_str!("sql/forget_support_sender_hashes.sql");

/// Forgets the network hashes of anonymous messages older than the hour the limit looks back (run in the retention
/// sweep's batch).
pub fn forget_sender_hashes(db: &Db, now: UnixMillis) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare(FORGET_SENDER_HASHES).bind(&[int(now.0)])
}

/// Who is sending: the account, or for anonymous messages the keyed hash of the client's network.
pub struct Sender<'a> {
    pub account_id: Option<&'a AccountId>,
    pub network_hash: Option<&'a str>,
}

/// Records the message unless the sender is over a limit. Returns whether it was recorded.
pub async fn create(
    db: &Db,
    id: &SupportMessageId,
    sender: &Sender<'_>,
    message: &SupportMessage,
    now: UnixMillis,
) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare(FORGET_SENDER_HASHES).bind(&[int(now.0)])?,
            db.prepare(INSERT_MESSAGE).bind(&[
                text(id),
                opt_text(sender.account_id.map(|id| id.as_str())),
                text(message.email.as_str()),
                text(&message.subject),
                text(&message.message),
                int(now.0),
                int(SUPPORT_MESSAGES_PER_HOUR),
                opt_text(sender.network_hash),
                int(ANONYMOUS_SUPPORT_MESSAGES_PER_IP_PER_HOUR),
            ])?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}

const MESSAGE_COLUMNS: &str = "m.id, m.email, m.subject, m.message, m.status, m.created_at, m.updated_at, \
 (SELECT COALESCE(json_group_array(json_object('body', r.body, 'created_at', r.created_at)), '[]') \
 FROM (SELECT * FROM support_replies WHERE message_id = m.id ORDER BY created_at) r) AS replies";

/// A support message with its replies (parsed from their JSON column).
#[derive(Debug, Deserialize, Serialize)]
pub struct MessageRow {
    pub id: String,
    pub email: String,
    pub subject: String,
    pub message: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(deserialize_with = "json_column")]
    pub replies: Vec<ReplyRow>,
    /// Only the admin inbox selects (and shows) it; `None` there is an anonymous message.
    #[serde(default, skip_serializing)]
    pub account_id: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct ReplyRow {
    pub body: String,
    pub created_at: i64,
}

/// The account's messages, newest first, with replies.
pub async fn for_account(db: &Db, account_id: &AccountId) -> worker::Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM support_messages m WHERE m.account_id = ?1 ORDER BY m.created_at DESC LIMIT 100"
    );
    db.all(db.prepare(sql).bind(&[text(account_id)])?).await?.results()
}

/// The admin inbox, optionally filtered by status.
pub async fn inbox(db: &Db, status: Option<SupportStatus>) -> worker::Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, m.account_id FROM support_messages m WHERE (?1 IS NULL OR m.status = ?1) ORDER BY m.created_at DESC LIMIT 200"
    );
    let status = status.map_or(JsValue::NULL, |s| text(s.as_str()));
    db.all(db.prepare(sql).bind(&[status])?).await?.results()
}

// Audited only if the message exists, so an action on a missing message leaves no trace of having happened.
const INSERT_SUPPORT_AUDIT: &str =
    "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM support_messages WHERE id = ?4)";

/// Replies and marks the message answered, with its audit entry. Returns false if there is no such message.
pub async fn reply(
    db: &Db,
    reply_id: &SupportReplyId,
    body: &str,
    entry: &AuditEntry,
    now: UnixMillis,
) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO support_replies (id, message_id, admin_account_id, body, created_at) \
                 SELECT ?1, id, ?3, ?4, ?5 FROM support_messages WHERE id = ?2",
            )
            .bind(&[
                text(reply_id),
                text(&entry.target_id),
                text(&entry.admin_account_id),
                text(body),
                int(now.0),
            ])?,
            db.prepare("UPDATE support_messages SET status = 'answered', updated_at = ?2 WHERE id = ?1 RETURNING id")
                .bind(&[text(&entry.target_id), int(now.0)])?,
            audit(db, INSERT_SUPPORT_AUDIT, entry, now)?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}

pub async fn set_status(db: &Db, status: SupportStatus, entry: &AuditEntry, now: UnixMillis) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare("UPDATE support_messages SET status = ?2, updated_at = ?3 WHERE id = ?1 RETURNING id")
                .bind(&[text(&entry.target_id), text(status.as_str()), int(now.0)])?,
            audit(db, INSERT_SUPPORT_AUDIT, entry, now)?,
        ])
        .await?;
    Ok(!results[0].results::<Value>()?.is_empty())
}

//! The landing page's featured images: an admin features a shared image by its share link or takes one off; the
//! public list is what is featured and still shared. Each change and its audit entry are one batch.

use gptimg_domain::account::AccountId;
use gptimg_domain::admin::AuditAction;
use gptimg_domain::gallery::featured::{feature_refusal, not_featured, share_token_of};
use gptimg_domain::generation::GenerationId;
use gptimg_domain::ids::RandomSource;
use gptimg_domain::time::UnixMillis;
use serde_json::json;

use super::error::CoreError;
use crate::store::admin::AuditEntry;
use crate::store::featured as store;
pub use crate::store::featured::FeaturedRow;
use crate::store::Db;

/// Features the image behind `share_link` (a share page URL or its token); featuring it again changes nothing.
/// Refused by name: a malformed link (400), no live share under it (404 `image_not_shared`), the list full (409).
pub async fn feature(
    db: &Db,
    admin: &AccountId,
    share_link: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<(), CoreError> {
    let token = share_token_of(share_link)?;
    let entry = AuditEntry::new(random, admin, AuditAction::ImageFeatured, token, json!({}));
    match feature_refusal(store::feature(db, token, &entry, now).await?) {
        None => Ok(()),
        Some(refusal) => Err(refusal.into()),
    }
}

/// Takes a generation off the landing page; 404 `not_featured` if it was not on it.
pub async fn unfeature(
    db: &Db,
    admin: &AccountId,
    raw_id: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<(), CoreError> {
    let id = GenerationId::parse(raw_id).ok_or_else(not_featured)?;
    let entry = AuditEntry::new(random, admin, AuditAction::ImageUnfeatured, id.as_str(), json!({}));
    match store::unfeature(db, &entry, now).await? {
        true => Ok(()),
        false => Err(not_featured().into()),
    }
}

/// What is featured and still shared, in order.
pub async fn list(db: &Db) -> Result<Vec<FeaturedRow>, CoreError> {
    Ok(store::list(db).await?)
}

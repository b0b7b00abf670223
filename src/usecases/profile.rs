//! The signed-in user's own profile: correcting the display name, accepting the current terms, and fetching the
//! Google avatar (only from a host the domain allows, bounded in time and size).

use gptimg_domain::account::avatar::{self, ImageUrl};
use gptimg_domain::account::consent::{validate_consent, ConsentRequest};
use gptimg_domain::account::{AccountId, DisplayName};
use gptimg_domain::ids::RequestId;
use gptimg_domain::time::UnixMillis;
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::json;
use worker::Method;

use super::error::CoreError;
use crate::clients::outbound::{CallError, Outbound};
use crate::config::Config;
use crate::log;
use crate::store::accounts::Account;
use crate::store::{accounts, privacy, Db};

const MAX_AVATAR_BYTES: usize = 1024 * 1024;
/// Google's image host answers in well under a second; a profile picture is not worth holding a request longer.
const AVATAR_TIMEOUT_MS: u64 = 5_000;

/// The profile image's bytes and the type its host declared.
pub struct Avatar {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// Sets the display name (it then stays as chosen across sign-ins); an account gone meanwhile is 404.
pub async fn rename(
    db: &Db,
    account_id: &AccountId,
    raw_name: &str,
    now: UnixMillis,
) -> Result<DisplayName, CoreError> {
    let name = DisplayName::parse(raw_name)?;
    if !accounts::update_name(db, account_id, &name, now).await? {
        return Err(CoreError::not_found("account_not_found", "Your account no longer exists."));
    }
    Ok(name)
}

/// Records that the current terms were accepted and the minimum age confirmed.
pub async fn accept_terms(
    db: &Db,
    account_id: &AccountId,
    request: &ConsentRequest,
    now: UnixMillis,
) -> Result<(), CoreError> {
    validate_consent(request)?;
    privacy::record_consent(db, account_id, now).await?;
    Ok(())
}

/// The account's profile image, fetched from its host: 404 `avatar_not_found` without one, for a host we may not
/// fetch from (no SSRF), an answer that is not an image, or one over the size bound; 502 `avatar_unavailable` when
/// the host fails or is too slow.
pub async fn avatar(config: &Config, account: &Account, request_id: &RequestId) -> Result<Avatar, CoreError> {
    let not_found = || CoreError::not_found("avatar_not_found", "This account has no profile image.");
    let url = account.picture_url.as_deref().and_then(|raw| url::Url::parse(raw).ok()).ok_or_else(not_found)?;
    let sign_in_origin = url::Url::parse(config.google_auth_url.as_str()).map(|u| u.origin().ascii_serialization());
    let origin = url.origin().ascii_serialization();
    let image_url = ImageUrl { scheme: url.scheme(), host: url.host_str(), origin: &origin };
    if !avatar::may_fetch(image_url, sign_in_origin.as_deref().ok()) {
        return Err(not_found());
    }
    let unavailable = |e: CallError| {
        log::event(request_id.as_str(), "avatar_fetch_failed", json!({ "cause": e.to_string() }));
        DomainError::new(ErrorKind::Upstream, "avatar_unavailable", "The profile image could not be fetched just now.")
    };
    let upstream =
        Outbound::new(Method::Get, url.as_str(), AVATAR_TIMEOUT_MS, request_id).send().await.map_err(unavailable)?;
    let content_type = upstream.headers().get("content-type")?.unwrap_or_default();
    if !avatar::is_image_answer(upstream.status_code(), &content_type) {
        return Err(not_found());
    }
    // The deadline covers the image's bytes too: a host that trickles them is cut off, not waited for.
    let bytes = match upstream.read(MAX_AVATAR_BYTES).await {
        Err(CallError::TooLarge { .. }) => return Err(not_found()),
        other => other.map_err(unavailable)?,
    };
    Ok(Avatar { bytes, content_type })
}

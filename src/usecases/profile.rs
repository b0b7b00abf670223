//! The signed-in user's own profile: correcting the display name and accepting the current terms.

use gptimg_domain::account::{AccountId, DisplayName};
use gptimg_domain::privacy::{validate_consent, ConsentRequest};
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::store::{accounts, privacy, Db};

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

//! Deleting one's own account on request: confirmed by the typed word, then `privacy::delete_account`, which the
//! cron resumes if Stripe or the subrequest budget interrupts it.

use gptimg_domain::account::AccountId;
use gptimg_domain::deletion::{confirm_deletion, DeleteRequest};
use gptimg_domain::ids::RequestId;
use worker::Env;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::privacy::{self, DeletionError};

pub enum Deletion {
    /// Everything is gone.
    Done,
    /// Personal data and sessions are gone; the rest (Stripe cancellation, stored files) is ours to finish (cron
    /// retries with backoff, or an admin for a refusal), so the user is told it is accepted, not asked to retry.
    Pending { cause: String },
}

pub async fn delete_account(
    env: &Env,
    config: &Config,
    account_id: &AccountId,
    request: &DeleteRequest,
    request_id: &RequestId,
) -> Result<Deletion, ApiError> {
    confirm_deletion(request)?;
    match privacy::delete_account(env, config, account_id, 0, request_id).await {
        Ok(()) => Ok(Deletion::Done),
        Err(error @ (DeletionError::Stripe(_) | DeletionError::Refused(_) | DeletionError::Paused)) => {
            Ok(Deletion::Pending { cause: error.cause() })
        }
        Err(DeletionError::Storage(error)) => Err(ApiError::internal(error)),
    }
}

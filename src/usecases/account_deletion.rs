//! Deleting one's own account on request: confirmed by the typed word, then `privacy::delete_account_within`, whose
//! unfinished part goes on after the response (handed to the background port) and from the cron.

use gptimg_domain::account::deletion::{confirm_deletion, DeleteRequest, ERASE_CHUNKS_IN_REQUEST};
use gptimg_domain::account::AccountId;
use gptimg_domain::ids::RequestId;
use worker::Env;

use super::background::Background;
use super::error::CoreError;
use crate::config::Config;
use crate::privacy::{self, DeletionError};

pub enum Deletion {
    /// Everything is gone.
    Done,
    /// Sessions and keys are gone and the account row is anonymous; the rest (Stripe cancellation, erasing the
    /// remaining data and files) is ours to finish (after the response, then the cron with backoff, or an admin for
    /// a refusal), so the user is told it is accepted, not asked to retry. `subscriptions_cancelled`: nothing is
    /// left to cancel at Stripe.
    Pending { cause: String, subscriptions_cancelled: bool },
}

pub async fn delete_account(
    background: &dyn Background,
    env: &Env,
    config: &Config,
    account_id: &AccountId,
    request: &DeleteRequest,
    request_id: &RequestId,
) -> Result<Deletion, CoreError> {
    confirm_deletion(request)?;
    let deletion = match privacy::delete_account_within(env, config, account_id, 0, request_id, ERASE_CHUNKS_IN_REQUEST)
        .await
    {
        Ok(()) => Deletion::Done,
        Err(error @ DeletionError::Paused) => Deletion::Pending { cause: error.cause(), subscriptions_cancelled: true },
        Err(error @ (DeletionError::Stripe(_) | DeletionError::Refused(_))) => {
            Deletion::Pending { cause: error.cause(), subscriptions_cancelled: false }
        }
        Err(DeletionError::Storage(error)) => return Err(error),
    };
    if let Deletion::Pending { subscriptions_cancelled, .. } = &deletion {
        let work = privacy::continue_deletion(env.clone(), account_id.clone(), *subscriptions_cancelled);
        background.run_later(Box::pin(work));
    }
    Ok(deletion)
}

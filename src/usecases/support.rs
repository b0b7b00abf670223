//! Writing to support: signed in, or anonymously with an email address (then limited per client network too).

use gptimg_domain::account::AccountId;
use gptimg_domain::email::EmailAddress;
use gptimg_domain::ids::{RandomSource, SupportMessageId};
use gptimg_domain::support::{support_network_hash, support_rate_limited, validate_support, SupportRequest};
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::config::Config;
use crate::store::accounts::Account;
pub use crate::store::support::MessageRow;
use crate::store::{support as store, Db};

/// The caller's own messages, each with its replies.
pub async fn messages_of(db: &Db, account: &AccountId) -> Result<Vec<MessageRow>, CoreError> {
    Ok(store::for_account(db, account).await?)
}

pub struct Sent {
    pub id: SupportMessageId,
    /// Where replies are sent.
    pub email: EmailAddress,
}

/// Records the message unless its sender is over a limit (429 `support_rate_limited`). `client_ip` is Cloudflare's
/// CF-Connecting-IP (a client cannot set it); only its keyed hash is kept, for anonymous messages.
pub async fn send_message(
    db: &Db,
    config: &Config,
    account: Option<&Account>,
    request: &SupportRequest,
    client_ip: Option<&str>,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<Sent, CoreError> {
    let message = validate_support(request, account.map(|a| a.email.as_str()))?;
    let id = SupportMessageId::generate(random);
    let network_hash = support_network_hash(config.session_secret.expose().as_bytes(), account.is_some(), client_ip);
    let sender = store::Sender { account_id: account.map(|a| &a.id), network_hash: network_hash.as_deref() };
    if !store::create(db, &id, &sender, &message, now).await? {
        return Err(support_rate_limited().into());
    }
    Ok(Sent { id, email: message.email })
}

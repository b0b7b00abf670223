//! Writing to support: signed in, or anonymously with an email address (then limited per client network too).

use gptimg_domain::email::EmailAddress;
use gptimg_domain::ids::{RandomSource, SupportMessageId};
use gptimg_domain::privacy::{support_sender_hash, validate_support, SupportRequest};
use gptimg_domain::time::UnixMillis;
use gptimg_domain::{DomainError, ErrorKind};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::store::accounts::Account;
use crate::store::{support as store, Db};

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
) -> Result<Sent, ApiError> {
    let message = validate_support(request, account.map(|a| a.email.as_str()))?;
    let id = SupportMessageId::generate(random);
    let network_hash = match account {
        Some(_) => None,
        None => Some(support_sender_hash(config.session_secret.expose().as_bytes(), client_ip)),
    };
    let sender = store::Sender { account_id: account.map(|a| &a.id), network_hash: network_hash.as_deref() };
    if !store::create(db, &id, &sender, &message, now).await? {
        return Err(DomainError::new(
            ErrorKind::RateLimited,
            "support_rate_limited",
            "You have sent several messages recently; please wait before sending more.",
        )
        .with_retry_after(600)
        .into());
    }
    Ok(Sent { id, email: message.email })
}

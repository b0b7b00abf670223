//! Google ID-token verification: RS256 signature by `kid` from Google's JWKS, then every claim Google requires.

use jwt_compact::alg::{Rsa, RsaPublicKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, UntrustedToken, ValidationError};
use serde::{Deserialize, Deserializer};

use crate::account::{DisplayName, GoogleSubject};
use crate::email::EmailAddress;

pub const GOOGLE_ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// Allowed clock difference between Google and us.
pub const LEEWAY_SECS: i64 = 60;
const RS256: StrongAlg<Rsa> = StrongAlg(Rsa::rs256());

/// Google's signing keys, by key id. Keys shorter than 2048 bits are dropped when parsed.
pub struct Jwks {
    keys: Vec<(String, StrongKey<RsaPublicKey>)>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Value>,
}

impl Jwks {
    pub fn parse(json: &str) -> Result<Self, IdTokenError> {
        let raw: RawJwks = serde_json::from_str(json).map_err(|_| IdTokenError::MalformedKeySet)?;
        let keys = raw
            .keys
            .into_iter()
            .filter_map(|value| {
                let kid = value.get("kid")?.as_str()?.to_owned();
                let jwk: JsonWebKey<'_> = serde_json::from_value(value).ok()?;
                let key = RsaPublicKey::try_from(&jwk).ok()?;
                Some((kid, StrongKey::try_from(key).ok()?))
            })
            .collect();
        Ok(Self { keys })
    }

    pub fn contains(&self, kid: &str) -> bool {
        self.keys.iter().any(|(id, _)| id == kid)
    }

    fn key(&self, kid: &str) -> Option<&StrongKey<RsaPublicKey>> {
        self.keys.iter().find(|(id, _)| id == kid).map(|(_, key)| key)
    }
}

/// What sign-in expects of the token.
pub struct Expected<'a> {
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now_secs: i64,
}

/// The verified person behind a Google sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleIdentity {
    pub subject: GoogleSubject,
    pub email: EmailAddress,
    pub name: DisplayName,
    pub picture_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is not a well-formed JWT")]
    Malformed,
    #[error("the ID token is not signed with RS256")]
    UnsupportedAlgorithm,
    #[error("the ID token names no signing key we know")]
    UnknownKey,
    #[error("the ID token signature is invalid")]
    BadSignature,
    #[error("the ID token was not issued by Google")]
    WrongIssuer,
    #[error("the ID token was issued for another application")]
    WrongAudience,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token is not valid yet")]
    NotYetValid,
    #[error("the ID token does not match this sign-in attempt")]
    NonceMismatch,
    #[error("the Google account's email address is not verified")]
    EmailNotVerified,
    #[error("the ID token lacks a required claim")]
    MissingClaim,
    #[error("Google's key set could not be read")]
    MalformedKeySet,
}

impl IdTokenError {
    /// Stable snake_case code for logs and error pages.
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "id_token_malformed",
            Self::UnsupportedAlgorithm => "id_token_algorithm",
            Self::UnknownKey => "id_token_unknown_key",
            Self::BadSignature => "id_token_bad_signature",
            Self::WrongIssuer => "id_token_wrong_issuer",
            Self::WrongAudience => "id_token_wrong_audience",
            Self::Expired => "id_token_expired",
            Self::NotYetValid => "id_token_not_yet_valid",
            Self::NonceMismatch => "id_token_nonce_mismatch",
            Self::EmailNotVerified => "email_not_verified",
            Self::MissingClaim => "id_token_missing_claim",
            Self::MalformedKeySet => "jwks_malformed",
        }
    }
}

#[derive(Deserialize)]
struct GoogleClaims {
    iss: String,
    #[serde(deserialize_with = "one_or_many")]
    aud: Vec<String>,
    sub: String,
    email: Option<String>,
    #[serde(default, deserialize_with = "bool_or_string")]
    email_verified: bool,
    name: Option<String>,
    picture: Option<String>,
    nonce: Option<String>,
}

/// The key id the token names, if it is a parseable JWT; lets the caller refresh its key set first.
pub fn key_id(token: &str) -> Option<String> {
    UntrustedToken::new(token).ok()?.header().key_id.clone()
}

pub fn verify(token: &str, jwks: &Jwks, expected: &Expected<'_>) -> Result<GoogleIdentity, IdTokenError> {
    let untrusted = UntrustedToken::new(token).map_err(|_| IdTokenError::Malformed)?;
    if untrusted.algorithm() != "RS256" {
        return Err(IdTokenError::UnsupportedAlgorithm);
    }
    let kid = untrusted.header().key_id.as_deref().ok_or(IdTokenError::UnknownKey)?;
    let key = jwks.key(kid).ok_or(IdTokenError::UnknownKey)?;
    let verified = RS256.validator::<GoogleClaims>(key).validate(&untrusted).map_err(|error| match error {
        ValidationError::InvalidSignature
        | ValidationError::InvalidSignatureLen { .. }
        | ValidationError::MalformedSignature(_) => IdTokenError::BadSignature,
        _ => IdTokenError::Malformed,
    })?;
    let claims = verified.claims();
    let times =
        ClaimTimes { exp: claims.expiration.map(|t| t.timestamp()), iat: claims.issued_at.map(|t| t.timestamp()) };
    check_claims(&claims.custom, times, expected)
}

/// `exp` and `iat`, which jwt-compact parses itself rather than leaving in the custom claims.
struct ClaimTimes {
    exp: Option<i64>,
    iat: Option<i64>,
}

fn check_claims(
    claims: &GoogleClaims,
    times: ClaimTimes,
    expected: &Expected<'_>,
) -> Result<GoogleIdentity, IdTokenError> {
    if !GOOGLE_ISSUERS.contains(&claims.iss.as_str()) {
        return Err(IdTokenError::WrongIssuer);
    }
    if claims.aud.len() != 1 || claims.aud[0] != expected.client_id {
        return Err(IdTokenError::WrongAudience);
    }
    let exp = times.exp.ok_or(IdTokenError::MissingClaim)?;
    if expected.now_secs > exp + LEEWAY_SECS {
        return Err(IdTokenError::Expired);
    }
    let iat = times.iat.ok_or(IdTokenError::MissingClaim)?;
    if iat > expected.now_secs + LEEWAY_SECS {
        return Err(IdTokenError::NotYetValid);
    }
    if claims.nonce.as_deref() != Some(expected.nonce) {
        return Err(IdTokenError::NonceMismatch);
    }
    if !claims.email_verified {
        return Err(IdTokenError::EmailNotVerified);
    }
    let subject = GoogleSubject::parse(&claims.sub).ok_or(IdTokenError::MissingClaim)?;
    let email = claims.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()).ok_or(IdTokenError::MissingClaim)?;
    let name = DisplayName::from_google(claims.name.as_deref(), email.as_str());
    let picture_url = claims.picture.clone().filter(|url| url.len() <= 2048 && url.starts_with("http"));
    Ok(GoogleIdentity { subject, email, name, picture_url })
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// Google has sent `email_verified` both as a boolean and as the string "true".
fn bool_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => s == "true",
        _ => false,
    })
}

#[cfg(test)]
mod tests;

//! The error body every refusal and fault answers with.

use serde::Serialize;

/// `{"error":{"code","message","details"?}}`, serialized straight from borrowed fields (no JSON tree built).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Error"))]
#[cfg_attr(
    test,
    schemars(description = "Every error answer: `{\"error\":{\"code\",\"message\"}}`, with `details` and \
                            `retry_after_seconds` when they apply.")
)]
pub struct ErrorBody<'a> {
    pub error: ErrorFields<'a>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(inline))]
pub struct ErrorFields<'a> {
    /// Stable snake_case error code (e.g. `invalid_api_key`, `idempotency_key_reused`).
    #[cfg_attr(test, schemars(example = &"insufficient_credits"))]
    pub code: &'a str,
    /// A human-readable explanation; may change.
    pub message: &'a str,
    /// Facts about the error, when it has any (e.g. `{ "balance": 3, "cost": 4 }`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "serde_json::Map<String, serde_json::Value>"))]
    pub details: Option<&'a serde_json::Value>,
    /// With 429: the same wait as the `Retry-After` header, for clients that read only the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "u32", range(min = 1)))]
    pub retry_after_seconds: Option<u32>,
}

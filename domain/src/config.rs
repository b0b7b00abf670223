//! Validation rules for every configuration var and secret: all problems reported by name, never by value.

use std::fmt;

use crate::billing::plans::PlanCatalogue;
use crate::email::EmailAddress;
use crate::generation::models::ModelCatalogue;
use crate::url::BaseUrl;

/// A secret value whose `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One thing wrong with the configuration: the variable's name and why, never its value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigProblem {
    pub name: &'static str,
    pub problem: &'static str,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.problem)
    }
}

/// Every var and secret the README's Configuration table lists, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub app_url: BaseUrl,
    pub google_client_id: String,
    pub google_auth_url: BaseUrl,
    pub google_token_url: BaseUrl,
    pub google_jwks_url: BaseUrl,
    pub stripe_api_base: BaseUrl,
    pub apipod_base_url: BaseUrl,
    pub plans: PlanCatalogue,
    pub models: ModelCatalogue,
    pub signup_credits: u32,
    pub admin_emails: Vec<EmailAddress>,
    pub support_email: EmailAddress,
    pub google_client_secret: Secret,
    pub session_secret: Secret,
    /// Keys the signup-grant hash of a Google subject, which outlives account deletion: long-lived on purpose,
    /// never rotated with `session_secret` (that would open signup credits again to every deleted account).
    pub signup_hash_secret: Secret,
    pub stripe_secret_key: Secret,
    pub stripe_webhook_secret: Secret,
    pub apipod_api_key: Secret,
}

/// The most signup credits a deployment may grant; a typo adding zeros must not mint money.
pub const MAX_SIGNUP_CREDITS: u32 = 10_000;
const MIN_SESSION_SECRET_LEN: usize = 32;
/// Stands in for an invalid `PLANS` while the remaining settings are still checked; never used to serve.
const PLACEHOLDER_MODELS: &str =
    r#"[{"id":"x","name":"x","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"]}]"#;
const PLACEHOLDER_PLANS: &str =
    r#"[{"id":"x","kind":"pack","name":"x","credits":1,"price_cents":1,"currency":"usd","stripe_price_id":"price_x"}]"#;

impl Settings {
    /// Reads every name through `lookup` and returns the settings, or every problem found.
    pub fn parse(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<ConfigProblem>> {
        let mut reader = Reader { lookup: &lookup, problems: Vec::new() };
        let settings = Self {
            app_url: reader.url("APP_URL"),
            google_client_id: reader.text("GOOGLE_CLIENT_ID"),
            google_auth_url: reader.url("GOOGLE_AUTH_URL"),
            google_token_url: reader.url("GOOGLE_TOKEN_URL"),
            google_jwks_url: reader.url("GOOGLE_JWKS_URL"),
            stripe_api_base: reader.url("STRIPE_API_BASE"),
            apipod_base_url: reader.url("APIPOD_BASE_URL"),
            plans: reader.plans("PLANS"),
            models: reader.models("MODELS"),
            signup_credits: reader.signup_credits("SIGNUP_CREDITS"),
            admin_emails: reader.email_list("ADMIN_EMAILS"),
            support_email: reader.email("SUPPORT_EMAIL"),
            google_client_secret: reader.secret("GOOGLE_CLIENT_SECRET", "", 1),
            session_secret: reader.secret("SESSION_SECRET", "", MIN_SESSION_SECRET_LEN),
            signup_hash_secret: reader.secret("SIGNUP_HASH_SECRET", "", MIN_SESSION_SECRET_LEN),
            stripe_secret_key: reader.secret("STRIPE_SECRET_KEY", "sk_", 8),
            stripe_webhook_secret: reader.secret("STRIPE_WEBHOOK_SECRET", "whsec_", 12),
            apipod_api_key: reader.secret("APIPOD_API_KEY", "", 1),
        };
        if reader.problems.is_empty() {
            Ok(settings)
        } else {
            Err(reader.problems)
        }
    }

    pub fn is_admin(&self, email: &EmailAddress) -> bool {
        self.admin_emails.iter().any(|admin| admin.matches(email))
    }

    /// `is_admin` for an address as stored (an unparseable one, such as a deleted account's, is never an admin).
    pub fn is_admin_address(&self, raw: &str) -> bool {
        EmailAddress::parse(raw).is_ok_and(|email| self.is_admin(&email))
    }
}

struct Reader<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
    problems: Vec<ConfigProblem>,
}

impl<F: Fn(&str) -> Option<String>> Reader<'_, F> {
    fn raw(&mut self, name: &'static str) -> Option<String> {
        let value = (self.lookup)(name).filter(|v| !v.trim().is_empty());
        if value.is_none() {
            self.fail(name, "is missing");
        }
        value
    }

    fn fail(&mut self, name: &'static str, problem: &'static str) {
        self.problems.push(ConfigProblem { name, problem });
    }

    fn text(&mut self, name: &'static str) -> String {
        self.raw(name).map(|v| v.trim().to_owned()).unwrap_or_default()
    }

    /// Reads `name` with `parse`; on a problem, records it and returns `placeholder` so every other
    /// setting is still checked (the placeholder is never served: parsing fails as a whole).
    fn parsed<T>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
        placeholder: &str,
    ) -> T {
        let fallback = || parse(placeholder).ok().expect("placeholders are valid");
        match self.raw(name).map(|raw| parse(&raw)) {
            Some(Ok(value)) => value,
            Some(Err(problem)) => {
                self.fail(name, problem);
                fallback()
            }
            None => fallback(),
        }
    }

    fn url(&mut self, name: &'static str) -> BaseUrl {
        self.parsed(name, BaseUrl::parse, "https://invalid.invalid")
    }

    fn email(&mut self, name: &'static str) -> EmailAddress {
        let parse = |raw: &str| EmailAddress::parse(raw).map_err(|_| "is not a valid email address");
        self.parsed(name, parse, "invalid@invalid.invalid")
    }

    /// A comma-separated list that may be empty (no admins).
    fn email_list(&mut self, name: &'static str) -> Vec<EmailAddress> {
        let raw = (self.lookup)(name).unwrap_or_default();
        let parsed: Result<Vec<_>, _> =
            raw.split(',').filter(|part| !part.trim().is_empty()).map(EmailAddress::parse).collect();
        parsed.unwrap_or_else(|_| {
            self.fail(name, "must be a comma-separated list of email addresses");
            Vec::new()
        })
    }

    fn signup_credits(&mut self, name: &'static str) -> u32 {
        match self.raw(name).map(|v| v.trim().parse::<u32>()) {
            Some(Ok(n)) if n <= MAX_SIGNUP_CREDITS => n,
            Some(_) => {
                self.fail(name, "must be a whole number from 0 to 10000");
                0
            }
            None => 0,
        }
    }

    fn plans(&mut self, name: &'static str) -> PlanCatalogue {
        self.parsed(name, PlanCatalogue::parse, PLACEHOLDER_PLANS)
    }

    fn models(&mut self, name: &'static str) -> ModelCatalogue {
        self.parsed(name, ModelCatalogue::parse, PLACEHOLDER_MODELS)
    }

    fn secret(&mut self, name: &'static str, prefix: &str, min_len: usize) -> Secret {
        let Some(value) = self.raw(name) else { return Secret(String::new()) };
        if !value.starts_with(prefix) {
            self.fail(
                name,
                match prefix {
                    "sk_" => "must start with sk_",
                    "whsec_" => "must start with whsec_",
                    _ => "has the wrong format",
                },
            );
        } else if value.len() < min_len {
            self.fail(
                name,
                if min_len >= MIN_SESSION_SECRET_LEN { "must be at least 32 characters" } else { "is too short" },
            );
        }
        Secret(value)
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::collections::HashMap;

    pub fn valid_values() -> HashMap<&'static str, String> {
        [
            ("APP_URL", "http://127.0.0.1:8787"),
            ("GOOGLE_CLIENT_ID", "client-123.apps.googleusercontent.com"),
            ("GOOGLE_AUTH_URL", "https://accounts.google.com/o/oauth2/v2/auth"),
            ("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"),
            ("GOOGLE_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs"),
            ("STRIPE_API_BASE", "https://api.stripe.com"),
            ("APIPOD_BASE_URL", "https://api.apipod.ai"),
            ("PLANS", r#"[{"id":"pack_100","kind":"pack","name":"100","credits":100,"price_cents":900,"currency":"usd","stripe_price_id":"price_100"}]"#),
            ("MODELS", r#"[{"id":"seedream-v4.5","name":"S","apipod_model":"seedream-v4.5","credits_per_image":4,"aspect_ratios":["1:1"]}]"#),
            ("SIGNUP_CREDITS", "10"),
            ("ADMIN_EMAILS", "ops@gptimg.example, Boss@GPTIMG.example"),
            ("SUPPORT_EMAIL", "support@gptimg.example"),
            ("GOOGLE_CLIENT_SECRET", "google-secret"),
            ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SIGNUP_HASH_SECRET", "fedcba9876543210fedcba9876543210"),
            ("STRIPE_SECRET_KEY", "sk_test_123456"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1234567890"),
            ("APIPOD_API_KEY", "apipod-key"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    }

    fn parse(values: &HashMap<&'static str, String>) -> Result<Settings, Vec<ConfigProblem>> {
        Settings::parse(|name| values.get(name).cloned())
    }

    #[test]
    fn a_complete_configuration_parses() {
        let settings = parse(&valid_values()).unwrap();
        assert_eq!(settings.signup_credits, 10);
        assert_eq!(settings.admin_emails.len(), 2);
        assert!(settings.is_admin(&EmailAddress::parse("boss@gptimg.example").unwrap()));
        assert!(!settings.is_admin(&EmailAddress::parse("user@gptimg.example").unwrap()));
        assert!(settings.is_admin_address("ops@GPTIMG.example"));
        assert!(!settings.is_admin_address(""));
    }

    #[test]
    fn every_problem_is_reported_by_name_and_never_by_value() {
        let mut values = valid_values();
        values.remove("SESSION_SECRET");
        values.insert("STRIPE_SECRET_KEY", "pk_live_leaky_value".into());
        values.insert("APP_URL", "http://gptimg.example".into());
        values.insert("SIGNUP_CREDITS", "1000000".into());
        values.insert("PLANS", "{not json".into());
        let problems = parse(&values).unwrap_err();
        let names: Vec<_> = problems.iter().map(|p| p.name).collect();
        assert_eq!(names, ["APP_URL", "PLANS", "SIGNUP_CREDITS", "SESSION_SECRET", "STRIPE_SECRET_KEY"]);
        let text = format!("{problems:?}");
        assert!(!text.contains("leaky"), "values must never appear in problems: {text}");
    }

    #[test]
    fn blank_values_count_as_missing() {
        let mut values = valid_values();
        values.insert("GOOGLE_CLIENT_ID", "   ".into());
        let problems = parse(&values).unwrap_err();
        assert_eq!(problems, [ConfigProblem { name: "GOOGLE_CLIENT_ID", problem: "is missing" }]);
    }

    #[test]
    fn a_short_session_secret_is_refused() {
        let mut values = valid_values();
        values.insert("SESSION_SECRET", "too-short".into());
        let problems = parse(&values).unwrap_err();
        assert_eq!(problems[0].to_string(), "SESSION_SECRET must be at least 32 characters");
    }

    #[test]
    fn the_signup_hash_key_is_required_and_long() {
        let mut values = valid_values();
        values.remove("SIGNUP_HASH_SECRET");
        assert_eq!(parse(&values).unwrap_err()[0].to_string(), "SIGNUP_HASH_SECRET is missing");
        values.insert("SIGNUP_HASH_SECRET", "short".into());
        assert_eq!(parse(&values).unwrap_err()[0].to_string(), "SIGNUP_HASH_SECRET must be at least 32 characters");
    }

    #[test]
    fn admin_emails_may_be_empty_but_not_malformed() {
        let mut values = valid_values();
        values.insert("ADMIN_EMAILS", "".into());
        assert!(parse(&values).unwrap().admin_emails.is_empty());
        values.insert("ADMIN_EMAILS", "ok@x.example, nope".into());
        assert_eq!(parse(&values).unwrap_err()[0].name, "ADMIN_EMAILS");
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let settings = parse(&valid_values()).unwrap();
        assert!(!format!("{settings:?}").contains("sk_test_123456"));
    }
}

//! Content-Security-Policy violation reports: what was blocked, in either report format, without personal data.

use serde_json::Value;

/// One violation: the directive that blocked something and the blocked resource's origin only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub directive: String,
    pub blocked: String,
}

/// Both report formats: the legacy `{"csp-report":{..}}` and the Reporting API's array of reports.
pub fn violations(report: &Value) -> Vec<Violation> {
    let field = |v: &Value, names: &[&str]| {
        names.iter().find_map(|n| v.get(*n).and_then(Value::as_str)).unwrap_or_default().to_owned()
    };
    let legacy = report.get("csp-report").into_iter();
    let modern = report.as_array().into_iter().flatten().filter_map(|r| r.get("body"));
    legacy
        .chain(modern)
        .map(|body| Violation {
            directive: field(body, &["effective-directive", "violated-directive", "effectiveDirective"]),
            blocked: origin_only(&field(body, &["blocked-uri", "blockedURL"])),
        })
        .collect()
}

/// A blocked URL's path and query may carry personal data or tokens: keep only its origin.
pub fn origin_only(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or_default()),
        None => url.chars().take(32).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn violation(directive: &str, blocked: &str) -> Violation {
        Violation { directive: directive.into(), blocked: blocked.into() }
    }

    #[test]
    fn the_legacy_format_is_read_preferring_the_effective_directive() {
        let report = json!({ "csp-report": {
            "effective-directive": "img-src", "violated-directive": "default-src",
            "blocked-uri": "https://evil.example/pixel.gif?email=a@b.test" } });
        assert_eq!(violations(&report), vec![violation("img-src", "https://evil.example")]);
        let older = json!({ "csp-report": { "violated-directive": "script-src", "blocked-uri": "inline" } });
        assert_eq!(violations(&older), vec![violation("script-src", "inline")]);
    }

    #[test]
    fn the_reporting_api_format_gives_one_violation_per_report() {
        let report = json!([
            { "type": "csp-violation", "body": { "effectiveDirective": "connect-src", "blockedURL": "wss://x.test:8443/s#t" } },
            { "type": "csp-violation", "body": { "effectiveDirective": "font-src", "blockedURL": "data" } },
            { "type": "deprecation" },
        ]);
        assert_eq!(
            violations(&report),
            vec![violation("connect-src", "wss://x.test:8443"), violation("font-src", "data")]
        );
    }

    #[test]
    fn anything_else_reports_nothing_and_missing_fields_are_empty() {
        assert!(violations(&json!({ "unrelated": 1 })).is_empty());
        assert!(violations(&json!("text")).is_empty());
        assert_eq!(violations(&json!({ "csp-report": {} })), vec![violation("", "")]);
    }

    #[test]
    fn a_value_without_a_scheme_is_cut_to_32_characters() {
        assert_eq!(origin_only(&"x".repeat(50)), "x".repeat(32));
        assert_eq!(origin_only("https://a.test"), "https://a.test");
        assert_eq!(origin_only("https://a.test?token=1"), "https://a.test");
    }
}

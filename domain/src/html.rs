//! The one HTML escape for text and attribute values written into a page (the JS twin is scripts/html.mjs).

/// `& < > " '` as `&amp; &lt; &gt; &quot; &#39;`: safe in text and in either kind of quoted attribute.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shared with tests/e2e/html-escape.test.mjs, so the Worker and the page builder escape alike.
    const FIXTURES: &str = include_str!("../../tests/fixtures/html-escape.json");

    #[test]
    fn every_fixture_escapes_to_its_expected_text() {
        let cases: Vec<(String, String)> = serde_json::from_str(FIXTURES).unwrap();
        assert!(cases.len() > 10);
        for (input, expected) in cases {
            assert_eq!(escape(&input), expected, "{input:?}");
        }
    }
}

//! What a public share page and its link preview (Open Graph / Twitter card) say: the prompt only if the owner
//! chose to show it, without bidirectional controls, shortened to what chat apps display.

/// The texts of a share page; plain text, escaped where they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareCard {
    pub title: String,
    pub description: String,
    /// The image's alternative text.
    pub alt: String,
}

const TITLE_CHARS: usize = 70;
const DESCRIPTION_CHARS: usize = 200;

/// `prompt` is `Some` only when the owner chose to show it.
pub fn share_card(prompt: Option<&str>, model_name: &str) -> ShareCard {
    let made_with = format!("An image made with {model_name} on GPTImg");
    match public_prompt(prompt) {
        Some(prompt) => ShareCard {
            title: shorten(&prompt, TITLE_CHARS),
            description: format!("{} — {made_with}.", shorten(&prompt, DESCRIPTION_CHARS)),
            alt: prompt,
        },
        None => ShareCard {
            title: "An image made with GPTImg".to_owned(),
            description: format!("{made_with}."),
            alt: made_with,
        },
    }
}

/// The prompt as public pages show it (`prompt` is `Some` only when the owner chose to show it): one line, without
/// bidirectional controls; `None` when nothing visible is left.
pub fn public_prompt(prompt: Option<&str>) -> Option<String> {
    let shown = prompt.map(|p| without_bidi_controls(p).split_whitespace().collect::<Vec<_>>().join(" "));
    shown.filter(|p| !p.is_empty())
}

/// Whether `c` is a bidirectional embedding, override or isolate control (U+202A–U+202E, U+2066–U+2069). On a
/// public page, where anyone's text is shown to strangers, they would let a prompt reorder what is drawn after it
/// (the page title, "made with …") or disguise a link; the visible text is kept.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn without_bidi_controls(text: &str) -> String {
    text.chars().filter(|&c| !is_bidi_control(c)).collect()
}

/// At most `max` characters, ending with an ellipsis when cut (never inside a character).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_appears_only_when_chosen() {
        let hidden = share_card(None, "Seedream 4.5");
        assert_eq!(hidden.title, "An image made with GPTImg");
        assert_eq!(hidden.description, "An image made with Seedream 4.5 on GPTImg.");
        let shown = share_card(Some("A red\n fox  "), "Seedream 4.5");
        assert_eq!(shown.title, "A red fox");
        assert_eq!(shown.description, "A red fox — An image made with Seedream 4.5 on GPTImg.");
        assert_eq!(shown.alt, "A red fox");
    }

    #[test]
    fn bidirectional_overrides_and_isolates_are_removed_from_every_text() {
        let prompt = "cat \u{202E}gnp.exe\u{202C} \u{2066}dog\u{2069} \u{202A}\u{202B}\u{202D}\u{2067}\u{2068}";
        let card = share_card(Some(prompt), "Seedream 4.5");
        for text in [&card.title, &card.description, &card.alt] {
            assert!(!text.chars().any(is_bidi_control), "{text:?}");
        }
        assert_eq!(card.alt, "cat gnp.exe dog");
        let only_controls = share_card(Some("\u{202E}\u{2066}"), "M");
        assert_eq!(only_controls.title, "An image made with GPTImg", "nothing visible is no prompt");
        // Other right-to-left text is kept as written.
        assert_eq!(share_card(Some("قطة \u{200F}"), "M").alt, "قطة \u{200F}".trim());
    }

    #[test]
    fn long_prompts_are_cut_on_a_character_with_an_ellipsis() {
        let prompt = "é".repeat(300);
        let card = share_card(Some(&prompt), "M");
        assert_eq!(card.title.chars().count(), 70);
        assert!(card.title.ends_with('…'));
        assert!(card.description.starts_with(&"é".repeat(199)));
        assert_eq!(card.alt, prompt, "the alt text is the whole prompt");
    }
}

//! What a public share page and its link preview (Open Graph / Twitter card) say: the prompt only if the owner
//! chose to show it, shortened to what chat apps display.

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
    match prompt.map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()) {
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
    fn long_prompts_are_cut_on_a_character_with_an_ellipsis() {
        let prompt = "é".repeat(300);
        let card = share_card(Some(&prompt), "M");
        assert_eq!(card.title.chars().count(), 70);
        assert!(card.title.ends_with('…'));
        assert!(card.description.starts_with(&"é".repeat(199)));
        assert_eq!(card.alt, prompt, "the alt text is the whole prompt");
    }
}

//! Gallery input: any search text either fails by name or is a trimmed, folded, bounded needle; any id list is
//! refused by name or kept to 1..=100 distinct ids in request order.

use proptest::prelude::*;

use crate::gallery::{delete_ids, delete_outcome, PromptSearch, MAX_DELETE_IDS, MAX_SEARCH_CHARS};

proptest! {
    #[test]
    fn a_parsed_search_is_bounded_trimmed_and_folded(raw in ".{0,260}") {
        match PromptSearch::parse(&raw) {
            Ok(Some(search)) => {
                let text = search.as_str();
                prop_assert!(!text.is_empty() && text.chars().count() <= MAX_SEARCH_CHARS);
                prop_assert_eq!(text, text.trim());
                prop_assert!(!text.chars().any(|c| c.is_ascii_uppercase() || c.is_control()));
            }
            Ok(None) => prop_assert!(raw.trim().is_empty()),
            Err(error) => prop_assert!(["search_too_long", "search_invalid_characters"].contains(&error.code.as_ref())),
        }
    }

    #[test]
    fn every_requested_id_is_answered_once(raw in prop::collection::vec("[a-c]{1,2}", 0..120)) {
        match delete_ids(&raw) {
            Ok(ids) => {
                prop_assert!(!ids.is_empty() && ids.len() <= MAX_DELETE_IDS);
                let deleted: Vec<String> = ids.iter().step_by(2).cloned().collect();
                let outcome = delete_outcome(&ids, &deleted, &[]);
                prop_assert_eq!(outcome.deleted.len() + outcome.kept.len(), ids.len());
            }
            Err(error) => prop_assert!(raw.is_empty() || raw.len() > MAX_DELETE_IDS, "{}", error.code),
        }
    }
}

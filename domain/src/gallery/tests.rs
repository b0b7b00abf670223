//! Unit tests of gallery filters and their indexes, and of multi-delete requests and outcomes.

use super::*;
use crate::error::ErrorKind;
use crate::generation::undeletable;

const MODELS: &str = r#"[
  {"id":"seedream-v4.5","name":"Seedream 4.5","apipod_model":"seedream-v4.5","credits_per_image":4,"aspect_ratios":["1:1"]},
  {"id":"plain","name":"Plain","apipod_model":"plain-1","credits_per_image":1,"aspect_ratios":["1:1"]}
]"#;

fn parse(q: Option<&str>, model: Option<&str>, favourites: Option<&str>) -> Result<GalleryFilter, DomainError> {
    GalleryFilter::parse(q, model, favourites, &ModelCatalogue::parse(MODELS).unwrap())
}

fn code(result: Result<GalleryFilter, DomainError>) -> (ErrorKind, String) {
    let error = result.unwrap_err();
    (error.kind, error.code.into_owned())
}

#[test]
fn no_parameters_is_the_whole_gallery_on_the_account_index() {
    let filter = parse(None, None, None).unwrap();
    assert_eq!(filter, GalleryFilter::default());
    assert_eq!(filter.index(), GalleryIndex::Account);
    assert_eq!(parse(Some("  "), Some(""), Some("")).unwrap(), GalleryFilter::default());
}

#[test]
fn search_is_trimmed_and_folded_like_sqlite_lower() {
    let filter = parse(Some("  Lighthouse AT Dusk "), None, None).unwrap();
    assert_eq!(filter.search.unwrap().as_str(), "lighthouse at dusk");
    // Non-ASCII is left as typed, as SQLite's lower() leaves it in the prompt.
    assert_eq!(PromptSearch::parse("Éclair").unwrap().unwrap().as_str(), "Éclair");
    assert_eq!(parse(Some("gull"), None, None).unwrap().index(), GalleryIndex::Account);
}

#[test]
fn search_is_at_most_200_characters_without_control_characters() {
    assert!(parse(Some(&"é".repeat(200)), None, None).is_ok());
    assert_eq!(code(parse(Some(&"a".repeat(201)), None, None)), (ErrorKind::BadRequest, "search_too_long".into()));
    assert_eq!(code(parse(Some("a\u{0}b"), None, None)), (ErrorKind::BadRequest, "search_invalid_characters".into()));
}

#[test]
fn model_must_be_in_the_catalogue_and_picks_its_index() {
    let filter = parse(None, Some("plain"), None).unwrap();
    assert_eq!(filter.model.as_deref(), Some("plain"));
    assert_eq!(filter.index(), GalleryIndex::Model);
    assert_eq!(code(parse(None, Some("nope"), None)), (ErrorKind::BadRequest, "unknown_model".into()));
}

#[test]
fn favourites_flag_reads_one_or_zero_and_its_partial_index_wins() {
    assert!(parse(None, None, Some("1")).unwrap().favourites_only);
    assert!(parse(None, None, Some("true")).unwrap().favourites_only);
    assert!(!parse(None, None, Some("0")).unwrap().favourites_only);
    assert_eq!(code(parse(None, None, Some("yes"))), (ErrorKind::BadRequest, "invalid_favourites_filter".into()));
    let all = parse(Some("boat"), Some("plain"), Some("1")).unwrap();
    assert_eq!(all.index(), GalleryIndex::Favourites);
    assert_eq!((all.search.unwrap().as_str(), all.model.as_deref()), ("boat", Some("plain")));
}

#[test]
fn delete_ids_are_one_to_a_hundred_without_duplicates() {
    let ids = |n: usize| (0..n).map(|i| format!("gen_{i}")).collect::<Vec<_>>();
    assert_eq!(delete_ids(&[]).unwrap_err().code, "no_ids");
    assert_eq!(delete_ids(&ids(101)).unwrap_err().code, "too_many_ids");
    assert_eq!(delete_ids(&ids(100)).unwrap().len(), 100);
    let twice = vec!["gen_b".to_owned(), "gen_a".to_owned(), "gen_b".to_owned()];
    assert_eq!(delete_ids(&twice).unwrap(), vec!["gen_b".to_owned(), "gen_a".to_owned()]);
}

#[test]
fn only_well_formed_ids_reach_the_database() {
    let good = "gen_0123456789abcdefghjkmnpqrs".to_owned();
    let parsed = well_formed(&[good.clone(), "gen_nope".into(), "../x".into()]);
    assert_eq!(parsed.iter().map(|id| id.as_str()).collect::<Vec<_>>(), vec![good.as_str()]);
}

#[test]
fn outcome_keeps_request_order_and_names_why_each_was_kept() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let remaining = [Remaining { id: "b".into(), in_progress: true }, Remaining { id: "e".into(), in_progress: false }];
    let outcome = delete_outcome(&s(&["a", "b", "c", "d", "e"]), &s(&["c", "a"]), &remaining);
    assert_eq!(outcome.deleted, s(&["a", "c"]));
    assert_eq!(
        outcome.kept,
        vec![
            Kept { id: "b".into(), code: IN_PROGRESS },
            Kept { id: "d".into(), code: NOT_FOUND },
            Kept { id: "e".into(), code: IN_USE }
        ]
    );
}

#[test]
fn kept_codes_are_the_single_deletes_codes() {
    assert_eq!(undeletable(true).code, IN_PROGRESS);
    assert_eq!(undeletable(false).code, NOT_FOUND);
    assert_eq!(crate::generation::in_use_as_reference().code, IN_USE);
}

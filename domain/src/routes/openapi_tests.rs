//! The published OpenAPI document (`openapi/openapi.json`) documents exactly the operations a personal API key may
//! call: every key-accessible row of the route table is in it, and nothing else is.

use std::collections::BTreeSet;

use crate::routes::{accepts_api_key, table};

const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");
const METHODS: [&str; 8] = ["get", "head", "post", "put", "patch", "delete", "options", "trace"];

/// `api/generations/*/share` as the document writes it: `/api/generations/{id}/share` becomes the same pattern.
fn pattern_of(openapi_path: &str) -> String {
    openapi_path
        .trim_start_matches('/')
        .split('/')
        .map(|segment| if segment.starts_with('{') && segment.ends_with('}') { "*" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn documented() -> BTreeSet<(String, String)> {
    let document: serde_json::Value = serde_json::from_str(DOCUMENT).expect("the document is JSON");
    assert_eq!(document["openapi"].as_str().map(|v| &v[..4]), Some("3.1."), "an OpenAPI 3.1 document");
    let paths = document["paths"].as_object().expect("the document has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            METHODS
                .iter()
                .filter(|method| item.contains_key(**method))
                .map(|method| (method.to_uppercase(), pattern_of(path)))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_document_holds_exactly_the_key_accessible_routes() {
    let keyed: BTreeSet<(String, String)> = table()
        .filter(|(_, _, endpoint)| accepts_api_key(*endpoint))
        .map(|(pattern, method, _)| (method.as_str().to_owned(), pattern.to_owned()))
        .collect();
    let documented = documented();
    let undocumented: Vec<_> = keyed.difference(&documented).collect();
    let not_for_keys: Vec<_> = documented.difference(&keyed).collect();
    assert!(undocumented.is_empty(), "key-accessible routes the document misses: {undocumented:?}");
    assert!(not_for_keys.is_empty(), "documented operations a key may not call: {not_for_keys:?}");
    assert!(keyed.len() >= 12, "{keyed:?}");
}

#[test]
fn path_parameters_become_the_tables_wildcards() {
    assert_eq!(pattern_of("/api/generations/{id}/favourite"), "api/generations/*/favourite");
    assert_eq!(pattern_of("/api/models"), "api/models");
}

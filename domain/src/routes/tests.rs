//! Unit tests of the route table: allowed methods, parameters, namespaces, admin and API-key reach.

use super::*;

const ALL_METHODS: [HttpMethod; 7] = [Get, Head, Post, Put, Patch, Delete, HttpMethod::Other];

/// Every API path (with sample parameters) and the `Allow` it answers a wrong method with, as the Worker has
/// always answered it.
const EXPECTED_ALLOW: &[(&str, &str)] = &[
    ("/healthz", "GET, HEAD"),
    ("/auth/google/start", "GET"),
    ("/auth/google/callback", "GET"),
    ("/auth/logout", "POST"),
    ("/api/me", "GET, PATCH, DELETE"),
    ("/api/me/consent", "POST"),
    ("/api/me/export", "GET"),
    ("/api/me/avatar", "GET"),
    ("/api/support", "GET, POST"),
    ("/api/session", "GET"),
    ("/api/plans", "GET"),
    ("/api/billing/checkout", "POST"),
    ("/api/billing/portal", "POST"),
    ("/api/credits/ledger", "GET"),
    ("/api/uploads", "POST"),
    ("/api/uploads/upl_1", "DELETE"),
    ("/uploads/upl_1/content", "GET"),
    ("/api/generations", "GET, POST"),
    ("/api/generations/delete", "POST"),
    ("/api/generations/gen_1", "GET, DELETE"),
    ("/api/generations/gen_1/favourite", "PUT, DELETE"),
    ("/api/generations/gen_1/share", "POST, DELETE"),
    ("/api/models", "GET"),
    ("/images/img_1", "GET, HEAD"),
    ("/images/img_1/content", "GET"),
    ("/s/tok", "GET, HEAD"),
    ("/webhooks/stripe", "POST"),
    ("/webhooks/apipod/gen_1/token", "POST"),
    ("/api/csp-report", "POST"),
    ("/api/keys", "GET, POST"),
    ("/api/keys/key_1", "DELETE"),
    ("/api/openapi.json", "GET"),
    ("/api/featured", "GET"),
    ("/api/admin/support", "GET"),
    ("/api/admin/support/sup_1/reply", "POST"),
    ("/api/admin/support/sup_1/status", "POST"),
    ("/api/admin/users", "GET"),
    ("/api/admin/users/acc_1/credits", "POST"),
    ("/api/admin/generations/failed", "GET"),
    ("/api/admin/billing/problems", "GET"),
    ("/api/admin/billing/problems/evt_1/dismiss", "POST"),
    ("/api/admin/deletions/stuck", "GET"),
    ("/api/admin/deletions/acc_1/retry", "POST"),
    ("/api/admin/audit", "GET"),
    ("/api/admin/dashboard", "GET"),
    ("/api/admin/dashboard/revenue.csv", "GET"),
    ("/api/admin/featured", "GET, POST"),
    ("/api/admin/featured/gen_1", "DELETE"),
];

fn route_path(method: HttpMethod, path: &str) -> Routed<'_> {
    route(method, &segments(path))
}

#[test]
fn every_path_accepts_exactly_its_allowed_methods_and_names_them_to_the_rest() {
    for (path, expected) in EXPECTED_ALLOW {
        let accepted: Vec<&str> = expected.split(", ").collect();
        for method in ALL_METHODS {
            match route_path(method, path) {
                Routed::Endpoint { .. } => assert!(accepted.contains(&method.as_str()), "{method:?} {path}"),
                Routed::WrongMethod { allow } => {
                    assert!(!accepted.contains(&method.as_str()), "{method:?} {path}");
                    assert_eq!(&allow, expected, "{path}");
                }
                other => panic!("{method:?} {path} routed to {other:?}"),
            }
        }
    }
}

#[test]
fn the_table_has_no_rows_the_expectations_miss() {
    assert_eq!(ROWS.len(), EXPECTED_ALLOW.len());
}

#[test]
fn head_is_accepted_only_where_it_always_was() {
    assert_eq!(route_path(Head, "/healthz"), Routed::Endpoint { endpoint: E::Health, params: vec![] });
    assert_eq!(route_path(Head, "/images/img_1"), Routed::Endpoint { endpoint: E::Image, params: vec!["img_1"] });
    assert_eq!(route_path(Head, "/api/me"), Routed::WrongMethod { allow: "GET, PATCH, DELETE".into() });
}

#[test]
fn one_path_routes_each_method_to_its_own_endpoint() {
    let endpoint = |method| match route_path(method, "/api/me") {
        Routed::Endpoint { endpoint, .. } => endpoint,
        other => panic!("{other:?}"),
    };
    assert_eq!(endpoint(Get), E::Profile);
    assert_eq!(endpoint(Patch), E::RenameProfile);
    assert_eq!(endpoint(Delete), E::DeleteAccount);
}

#[test]
fn parameters_come_back_in_path_order() {
    assert_eq!(
        route_path(Post, "/webhooks/apipod/gen_1/secret"),
        Routed::Endpoint { endpoint: E::ApipodCallback, params: vec!["gen_1", "secret"] }
    );
    assert_eq!(
        route_path(Post, "/api/admin/billing/problems/evt_9/dismiss"),
        Routed::Endpoint { endpoint: E::Admin(A::DismissBillingProblem), params: vec!["evt_9"] }
    );
}

#[test]
fn unknown_paths_under_the_api_namespaces_are_no_such_endpoint() {
    for path in [
        "/api/nope",
        "/api/",
        "/api",
        "/auth/unknown",
        "/webhooks/unknown",
        "/images",
        "/images/a/b",
        "/uploads/upl_1",
        "/api/me/",
        "/api/admin",
        "/api/admin/nope",
        "/api/generations/gen_1/share/extra",
    ] {
        for method in ALL_METHODS {
            assert_eq!(route_path(method, path), Routed::NoSuchEndpoint, "{method:?} {path}");
        }
    }
}

#[test]
fn everything_else_is_left_to_pages_and_assets() {
    for path in ["/", "/privacy", "/admin", "/admin-console.html", "/js/app.js", "/apis", "/imagesx/1"] {
        assert_eq!(route_path(Get, path), Routed::NotApi, "{path}");
    }
}

#[test]
fn admin_paths_and_cross_origin_endpoints_are_recognised() {
    assert!(!is_api_path(&segments("/healthz")), "the health check must answer without configuration");
    assert!(is_api_path(&segments("/uploads/upl_1/content")));
    assert!(is_admin_path(&segments("/api/admin")));
    assert!(is_admin_path(&segments("/api/admin/users/acc_1/credits")));
    assert!(!is_admin_path(&segments("/admin")));
    assert!(!is_admin_path(&segments("/api/administrator")));
    assert!(is_cross_origin_endpoint(&segments("/webhooks/stripe")));
    assert!(is_cross_origin_endpoint(&segments("/api/csp-report")));
    assert!(!is_cross_origin_endpoint(&segments("/api/me")));
}

#[test]
fn every_row_is_the_first_to_claim_its_own_paths() {
    for (i, (pattern, _)) in ROWS.iter().enumerate() {
        let sample = pattern.replace('*', "x");
        let sample_segments: Vec<&str> = sample.split('/').collect();
        let first = ROWS.iter().position(|(other, _)| params(other, &sample_segments).is_some());
        assert_eq!(first, Some(i), "row {i} ({pattern}) is shadowed by an earlier row");
    }
}

#[test]
fn only_the_literal_multi_delete_row_overlaps_a_wildcard() {
    let overlapping: Vec<&str> = ROWS
        .iter()
        .filter(|(pattern, _)| {
            let sample_segments: Vec<&str> = pattern.split('/').collect();
            ROWS.iter().filter(|(other, _)| params(other, &sample_segments).is_some()).count() > 1
        })
        .map(|(pattern, _)| *pattern)
        .collect();
    assert_eq!(overlapping, vec!["api/generations/delete"]);
}

#[test]
fn multi_delete_is_not_taken_for_a_generation_id() {
    assert_eq!(
        route_path(Post, "/api/generations/delete"),
        Routed::Endpoint { endpoint: E::DeleteGenerations, params: vec![] }
    );
    // `delete` is never an id: the other methods are told POST, not routed to the single generation.
    assert_eq!(route_path(Delete, "/api/generations/delete"), Routed::WrongMethod { allow: "POST".into() });
    assert_eq!(route_path(Get, "/api/generations/delete"), Routed::WrongMethod { allow: "POST".into() });
    assert_eq!(
        route_path(Delete, "/api/generations/gen_1"),
        Routed::Endpoint { endpoint: E::DeleteGeneration, params: vec!["gen_1"] }
    );
    assert_eq!(
        route_path(Put, "/api/generations/delete/favourite"),
        Routed::Endpoint { endpoint: E::Favourite, params: vec!["delete"] }
    );
    assert_eq!(
        route_path(Delete, "/api/generations/gen_1/favourite"),
        Routed::Endpoint { endpoint: E::Unfavourite, params: vec!["gen_1"] }
    );
}

#[test]
fn admin_endpoints_live_exactly_under_the_admin_paths() {
    for (pattern, methods) in ROWS {
        let sample = pattern.replace('*', "x");
        let is_admin = is_admin_path(&sample.split('/').collect::<Vec<_>>());
        for (_, endpoint) in *methods {
            assert_eq!(matches!(endpoint, E::Admin(_)), is_admin, "{pattern}");
        }
    }
}

#[test]
fn api_keys_reach_only_models_uploads_generations_and_images() {
    let keyed = |path: &str, method| match route_path(method, path) {
        Routed::Endpoint { endpoint, .. } => accepts_api_key(endpoint),
        other => panic!("{path}: {other:?}"),
    };
    for (path, method) in [
        ("/api/models", Get),
        ("/api/uploads", Post),
        ("/api/generations", Get),
        ("/api/generations", Post),
        ("/api/generations/gen_1", Get),
        ("/api/generations/gen_1", Delete),
        ("/api/generations/delete", Post),
        ("/api/generations/gen_1/favourite", Put),
        ("/api/generations/gen_1/share", Post),
        ("/images/img_1", Get),
    ] {
        assert!(keyed(path, method), "{method:?} {path}");
    }
    for (path, method) in [
        ("/api/me", Get),
        ("/api/me", Patch),
        ("/api/me", Delete),
        ("/api/me/consent", Post),
        ("/api/me/export", Get),
        ("/api/session", Get),
        ("/api/billing/checkout", Post),
        ("/api/billing/portal", Post),
        ("/api/credits/ledger", Get),
        ("/api/support", Post),
        ("/auth/logout", Post),
        ("/api/admin/users", Get),
        ("/api/keys", Get),
        ("/api/keys", Post),
        ("/api/keys/key_1", Delete),
    ] {
        assert!(!keyed(path, method), "{method:?} {path}");
    }
}

#[test]
fn public_documents_and_signed_links_ignore_credentials_and_nothing_a_key_reaches_does() {
    let endpoint = |method, path: &str| match route_path(method, path) {
        Routed::Endpoint { endpoint, .. } => endpoint,
        other => panic!("{path}: {other:?}"),
    };
    for (method, path) in [
        (Get, "/healthz"),
        (Get, "/api/openapi.json"),
        (Get, "/api/featured"),
        (Get, "/uploads/upl_1/content"),
        (Get, "/images/img_1/content"),
        (Get, "/s/tok"),
        (Post, "/webhooks/stripe"),
    ] {
        assert!(ignores_credentials(endpoint(method, path)), "{path}");
    }
    for (method, path) in [(Get, "/api/plans"), (Get, "/api/me"), (Get, "/api/keys"), (Get, "/images/img_1")] {
        assert!(!ignores_credentials(endpoint(method, path)), "{path}");
    }
    for (path, _) in EXPECTED_ALLOW {
        for method in ALL_METHODS {
            if let Routed::Endpoint { endpoint, .. } = route_path(method, path) {
                assert!(!(accepts_api_key(endpoint) && ignores_credentials(endpoint)), "{method:?} {path}");
            }
        }
    }
}

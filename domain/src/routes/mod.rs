//! The API's route table: every path pattern with the methods it accepts, so a wrong method is answered with an
//! `Allow` computed from the same rows that route the right ones.

#[cfg(test)]
mod openapi_tests;

/// The request methods the table knows; anything else is `Other` and is never accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Other,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Other => "OTHER",
        }
    }
}

/// What a request is for, once its path and method matched a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Health,
    SignInStart,
    SignInCallback,
    SignOut,
    Profile,
    RenameProfile,
    DeleteAccount,
    Consent,
    Export,
    SupportList,
    SupportCreate,
    Session,
    Avatar,
    Plans,
    Checkout,
    Portal,
    CreditLedger,
    CreateUpload,
    DeleteUpload,
    UploadContent,
    GenerationList,
    CreateGeneration,
    Generation,
    DeleteGeneration,
    DeleteGenerations,
    Favourite,
    Unfavourite,
    Share,
    Unshare,
    Models,
    Image,
    ImageContent,
    SharePage,
    StripeWebhook,
    ApipodCallback,
    CspReport,
    ApiKeyList,
    CreateApiKey,
    RevokeApiKey,
    /// The public OpenAPI document of the key-accessible API.
    OpenApi,
    /// The shared images the operator features on the landing page (public).
    FeaturedImages,
    Admin(AdminEndpoint),
}

/// The admin console's endpoints (`/api/admin/...`), shown only to admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminEndpoint {
    SupportInbox,
    SupportReply,
    SupportStatus,
    UserSearch,
    CreditAdjustment,
    FailedGenerations,
    BillingProblems,
    DismissBillingProblem,
    StuckDeletions,
    RetryDeletion,
    AuditLog,
    Dashboard,
    DashboardCsv,
    FeaturedList,
    Feature,
    Unfeature,
}

use AdminEndpoint as A;
use Endpoint as E;
use HttpMethod::{Delete, Get, Head, Patch, Post, Put};

/// A path pattern (`*` is one parameter segment) and its methods, in the order `Allow` lists them.
type Row = (&'static str, &'static [(HttpMethod, Endpoint)]);

const ROWS: &[Row] = &[
    ("healthz", &[(Get, E::Health), (Head, E::Health)]),
    ("auth/google/start", &[(Get, E::SignInStart)]),
    ("auth/google/callback", &[(Get, E::SignInCallback)]),
    ("auth/logout", &[(Post, E::SignOut)]),
    ("api/me", &[(Get, E::Profile), (Patch, E::RenameProfile), (Delete, E::DeleteAccount)]),
    ("api/me/consent", &[(Post, E::Consent)]),
    ("api/me/export", &[(Get, E::Export)]),
    ("api/me/avatar", &[(Get, E::Avatar)]),
    ("api/support", &[(Get, E::SupportList), (Post, E::SupportCreate)]),
    ("api/session", &[(Get, E::Session)]),
    ("api/plans", &[(Get, E::Plans)]),
    ("api/billing/checkout", &[(Post, E::Checkout)]),
    ("api/billing/portal", &[(Post, E::Portal)]),
    ("api/credits/ledger", &[(Get, E::CreditLedger)]),
    ("api/uploads", &[(Post, E::CreateUpload)]),
    ("api/uploads/*", &[(Delete, E::DeleteUpload)]),
    ("uploads/*/content", &[(Get, E::UploadContent)]),
    ("api/generations", &[(Get, E::GenerationList), (Post, E::CreateGeneration)]),
    // Before `api/generations/*`, which would otherwise claim `delete` as an id; the first matching row routes.
    ("api/generations/delete", &[(Post, E::DeleteGenerations)]),
    ("api/generations/*", &[(Get, E::Generation), (Delete, E::DeleteGeneration)]),
    ("api/generations/*/favourite", &[(Put, E::Favourite), (Delete, E::Unfavourite)]),
    ("api/generations/*/share", &[(Post, E::Share), (Delete, E::Unshare)]),
    ("api/models", &[(Get, E::Models)]),
    ("images/*", &[(Get, E::Image), (Head, E::Image)]),
    ("images/*/content", &[(Get, E::ImageContent)]),
    ("s/*", &[(Get, E::SharePage), (Head, E::SharePage)]),
    ("webhooks/stripe", &[(Post, E::StripeWebhook)]),
    ("webhooks/apipod/*/*", &[(Post, E::ApipodCallback)]),
    ("api/csp-report", &[(Post, E::CspReport)]),
    ("api/keys", &[(Get, E::ApiKeyList), (Post, E::CreateApiKey)]),
    ("api/keys/*", &[(Delete, E::RevokeApiKey)]),
    ("api/openapi.json", &[(Get, E::OpenApi)]),
    ("api/featured", &[(Get, E::FeaturedImages)]),
    ("api/admin/support", &[(Get, E::Admin(A::SupportInbox))]),
    ("api/admin/support/*/reply", &[(Post, E::Admin(A::SupportReply))]),
    ("api/admin/support/*/status", &[(Post, E::Admin(A::SupportStatus))]),
    ("api/admin/users", &[(Get, E::Admin(A::UserSearch))]),
    ("api/admin/users/*/credits", &[(Post, E::Admin(A::CreditAdjustment))]),
    ("api/admin/generations/failed", &[(Get, E::Admin(A::FailedGenerations))]),
    ("api/admin/billing/problems", &[(Get, E::Admin(A::BillingProblems))]),
    ("api/admin/billing/problems/*/dismiss", &[(Post, E::Admin(A::DismissBillingProblem))]),
    ("api/admin/deletions/stuck", &[(Get, E::Admin(A::StuckDeletions))]),
    ("api/admin/deletions/*/retry", &[(Post, E::Admin(A::RetryDeletion))]),
    ("api/admin/audit", &[(Get, E::Admin(A::AuditLog))]),
    ("api/admin/dashboard", &[(Get, E::Admin(A::Dashboard))]),
    ("api/admin/dashboard/*", &[(Get, E::Admin(A::DashboardCsv))]),
    ("api/admin/featured", &[(Get, E::Admin(A::FeaturedList)), (Post, E::Admin(A::Feature))]),
    ("api/admin/featured/*", &[(Delete, E::Admin(A::Unfeature))]),
];

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Routed<'a> {
    /// A row matched path and method; `params` are the `*` segments in order.
    Endpoint { endpoint: Endpoint, params: Vec<&'a str> },
    /// The path exists but not with this method: 405 with this `Allow`.
    WrongMethod { allow: String },
    /// An API path (see `is_api_path`) that no row matches: a JSON 404.
    NoSuchEndpoint,
    /// Not an API path: pages and static assets.
    NotApi,
}

/// The namespaces whose every answer depends on configuration (`/healthz` reports on it instead); outside them
/// and the table's rows, a path is a page or a static asset.
pub fn is_api_path(segments: &[&str]) -> bool {
    matches!(segments.first(), Some(&("api" | "auth" | "webhooks" | "images" | "uploads")))
}

/// Paths only admins may know exist: everyone else gets a 404 before any routing, never a 405.
pub fn is_admin_path(segments: &[&str]) -> bool {
    matches!(segments, ["api", "admin", ..])
}

/// Paths that accept writes from other origins by design: signed Stripe webhooks, APIPod callbacks (behind an
/// unguessable URL) and browsers' CSP reports.
pub fn is_cross_origin_endpoint(segments: &[&str]) -> bool {
    matches!(segments, ["webhooks", ..] | ["api", "csp-report"])
}

/// What a personal API key may do: models, uploads, generations and images. Never the account, billing, export,
/// deletion of the account, support or admin: those need the browser session.
pub fn accepts_api_key(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        E::Models
            | E::CreateUpload
            | E::DeleteUpload
            | E::GenerationList
            | E::CreateGeneration
            | E::Generation
            | E::DeleteGeneration
            | E::DeleteGenerations
            | E::Favourite
            | E::Unfavourite
            | E::Share
            | E::Unshare
            | E::Image
    )
}

/// Every (path pattern, method, endpoint) the table routes, in table order: what the OpenAPI test compares against.
pub fn table() -> impl Iterator<Item = (&'static str, HttpMethod, Endpoint)> {
    ROWS.iter()
        .flat_map(|(pattern, methods)| methods.iter().map(move |(method, endpoint)| (*pattern, *method, *endpoint)))
}

/// Endpoints that never ask who is calling: public documents, signed links and callers that prove themselves
/// (Stripe's signature, APIPod's URL token). An API client that sends its key with every request is served there
/// as anyone else is; the key is neither checked nor counted.
pub fn ignores_credentials(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        E::Health
            | E::OpenApi
            | E::FeaturedImages
            | E::UploadContent
            | E::ImageContent
            | E::SharePage
            | E::StripeWebhook
            | E::ApipodCallback
            | E::CspReport
    )
}

/// The path's segments after the leading `/` (`/api/me` is `["api", "me"]`, `/api/` ends with `""`).
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

fn params<'a>(pattern: &str, segments: &[&'a str]) -> Option<Vec<&'a str>> {
    let mut params = Vec::new();
    let mut pattern_parts = pattern.split('/');
    for segment in segments {
        match pattern_parts.next()? {
            "*" => params.push(*segment),
            literal if literal == *segment => {}
            _ => return None,
        }
    }
    pattern_parts.next().is_none().then_some(params)
}

pub fn route<'a>(method: HttpMethod, segments: &[&'a str]) -> Routed<'a> {
    for (pattern, methods) in ROWS {
        let Some(params) = params(pattern, segments) else { continue };
        return match methods.iter().find(|(accepted, _)| *accepted == method) {
            Some((_, endpoint)) => Routed::Endpoint { endpoint: *endpoint, params },
            None => Routed::WrongMethod { allow: allow(methods) },
        };
    }
    if is_api_path(segments) {
        Routed::NoSuchEndpoint
    } else {
        Routed::NotApi
    }
}

fn allow(methods: &[(HttpMethod, Endpoint)]) -> String {
    methods.iter().map(|(method, _)| method.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;

//! HTTP layer: request context, routing, one resource module per area, and the one error mapping.

pub mod admin;
pub mod api_keys;
pub mod apipod_callback;
pub mod assets;
pub mod auth;
pub mod billing;
pub mod cookies;
pub mod credits;
pub mod csp_report;
pub mod dashboard;
pub mod error;
pub mod featured;
pub mod gallery;
pub mod generations;
pub mod health;
pub mod idempotency;
pub mod images;
pub mod json_body;
pub mod me;
pub mod openapi;
pub mod origin;
pub mod pages;
pub mod paging;
pub mod privacy;
pub mod response_headers;
pub mod routes;
pub mod session;
pub mod share_page;
pub mod signed_bytes;
pub mod support;
pub mod uploads;
pub mod webhooks;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use gptimg_domain::ids::RequestId;
use gptimg_domain::time::UnixMillis;
use worker::{Env, Request, Response};

use crate::config::{self, Config, ConfigResult};
use crate::meter::Counts;
use crate::platform::{self, CryptoRandom};
use crate::usecases::background::{self, Work};
use crate::usecases::session::Account;
use crate::usecases::Db;
use error::ApiError;

/// A job run after the response (`RequestContext::after_response`).
pub type Background = Work;

/// What every handler may know about the request being served, built once at its start.
pub struct RequestContext {
    pub env: Env,
    /// Subrequests (D1, R2, queue, fetch) made for this request, reported in its log line.
    pub counts: Rc<Counts>,
    /// What a handler wants in the request's log line (e.g. a Stripe event's id and outcome).
    notes: RefCell<Option<serde_json::Value>>,
    /// Work a handler left to run after the response is sent (`waitUntil`, see `lib.rs`).
    after_response: RefCell<Vec<Background>>,
    pub request_id: RequestId,
    /// The caller named this request's id (`x-request-id`): it is tracing it, so its log line is written.
    pub traced: bool,
    pub started: UnixMillis,
    pub is_https: bool,
    config: ConfigResult,
    /// The account of the API key this request was authenticated by (`session::authenticate_key`), if any.
    key_account: RefCell<Option<Account>>,
}

impl RequestContext {
    pub fn begin(req: &Request, env: Env, counts: Rc<Counts>) -> Self {
        let named = req.headers().get("x-request-id").ok().flatten().and_then(|raw| RequestId::parse(&raw));
        let traced = named.is_some();
        let request_id = named.unwrap_or_else(|| RequestId::generate(&mut CryptoRandom));
        // The raw URL string, not a parsed one: this runs on every request.
        let is_https = req.inner().url().starts_with("https:");
        let config = config::load(&env);
        Self {
            env,
            request_id,
            traced,
            started: platform::now(),
            is_https,
            config,
            counts,
            notes: RefCell::new(None),
            after_response: RefCell::new(Vec::new()),
            key_account: RefCell::new(None),
        }
    }

    pub fn set_key_account(&self, account: Account) {
        *self.key_account.borrow_mut() = Some(account);
    }

    pub fn key_account(&self) -> Option<Account> {
        self.key_account.borrow().clone()
    }

    /// Runs `work` once the response has been sent, within this invocation (`Context::wait_until`): the
    /// caller does not wait for it, and it must settle on its own whatever happens.
    pub fn after_response(&self, work: impl Future<Output = ()> + 'static) {
        self.after_response.borrow_mut().push(Box::pin(work));
    }

    /// The work left for after the response, in the order it was added.
    pub fn take_after_response(&self) -> Vec<Background> {
        std::mem::take(&mut *self.after_response.borrow_mut())
    }

    /// Attaches facts to this request's single log line.
    pub fn note(&self, fields: serde_json::Value) {
        *self.notes.borrow_mut() = Some(fields);
    }

    pub fn take_notes(&self) -> Option<serde_json::Value> {
        self.notes.borrow_mut().take()
    }

    /// What this request's log line says about it (`log::request`); takes the notes.
    pub fn log_facts(&self) -> crate::log::RequestFacts<'_> {
        crate::log::RequestFacts {
            request_id: self.request_id.as_str(),
            started: self.started,
            traced: self.traced,
            counts: &self.counts,
            notes: self.take_notes(),
        }
    }

    /// D1 for this request (its round trips are counted in `counts`).
    pub fn db(&self) -> worker::Result<Db> {
        Ok(Db::new(self.env.d1("DB")?))
    }

    /// The R2 bucket of uploads and images.
    pub fn bucket(&self) -> worker::Result<worker::Bucket> {
        crate::usecases::bucket(&self.env)
    }

    /// The validated configuration, or a named `service_misconfigured` error.
    pub fn config(&self) -> Result<&Rc<Config>, ApiError> {
        self.config.as_ref().map_err(|problems| ApiError::Misconfigured(problems.clone()))
    }

    pub fn config_result(&self) -> &ConfigResult {
        &self.config
    }
}

/// A use case's background work runs after this request's response.
impl background::Background for RequestContext {
    fn run_later(&self, work: Work) {
        self.after_response.borrow_mut().push(work);
    }
}

/// A query parameter's decoded value.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// A JSON response that no cache may keep: everything about a signed-in user.
pub fn private_json(value: &impl serde::Serialize) -> worker::Result<Response> {
    let mut response = Response::from_json(value)?;
    response.headers_mut().set("cache-control", "private, no-store")?;
    Ok(response)
}

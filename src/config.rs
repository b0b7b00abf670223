//! Reads every var and secret from the Worker environment once per isolate and validates it into `Config`.

use std::cell::OnceCell;
use std::rc::Rc;

use gptimg_domain::config::{ConfigProblem, Settings};
use worker::Env;

/// The validated configuration; see the Configuration table in README.md.
pub type Config = Settings;

pub type ConfigResult = Result<Rc<Config>, Rc<[ConfigProblem]>>;

const SECRETS: [&str; 5] =
    ["GOOGLE_CLIENT_SECRET", "SESSION_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "APIPOD_API_KEY"];

thread_local! {
    // Vars and secrets are fixed for an isolate's lifetime, so parse them once, not per request.
    static CACHED: OnceCell<ConfigResult> = const { OnceCell::new() };
}

pub fn load(env: &Env) -> ConfigResult {
    CACHED.with(|cell| cell.get_or_init(|| parse(env)).clone())
}

fn parse(env: &Env) -> ConfigResult {
    let lookup = |name: &str| {
        if SECRETS.contains(&name) {
            env.secret(name).ok().map(|s| s.to_string())
        } else {
            env.var(name).ok().map(|v| v.to_string())
        }
    };
    Settings::parse(lookup).map(Rc::new).map_err(Rc::from)
}

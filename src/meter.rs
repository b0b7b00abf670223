//! Per-invocation counts of subrequests — D1 round trips, R2 operations, queue sends and outbound fetches —
//! for each invocation's log line and for bounding fan-out under the Workers limit (1000 per invocation).
//!
//! An isolate serves several invocations at once, interleaved at `await`s, so the counts cannot be one global.
//! `Metered` wraps an invocation's future and makes its counts "current" only while that future is being
//! polled; a subrequest starts synchronously inside such a poll, so it is counted for the right invocation.
//! Outbound `fetch` and the R2 and queue bindings are wrapped once per isolate at the JS level, so every call
//! is counted whichever module makes it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Function, Promise, Reflect};
use worker::Env;

/// Subrequests one invocation may make on Workers Paid (fetches plus calls to D1, R2, queues, KV).
pub const SUBREQUEST_LIMIT: u32 = 1000;

#[derive(Clone, Copy)]
pub enum Kind {
    D1,
    R2,
    Queue,
    Fetch,
}

/// What one invocation has made so far.
#[derive(Default)]
pub struct Counts {
    pub d1: Cell<u32>,
    pub r2: Cell<u32>,
    pub queue: Cell<u32>,
    pub fetch: Cell<u32>,
}

impl Counts {
    pub fn total(&self) -> u32 {
        self.d1.get() + self.r2.get() + self.queue.get() + self.fetch.get()
    }

    fn add(&self, kind: Kind) {
        let cell = match kind {
            Kind::D1 => &self.d1,
            Kind::R2 => &self.r2,
            Kind::Queue => &self.queue,
            Kind::Fetch => &self.fetch,
        };
        cell.set(cell.get() + 1);
    }

    /// The counts as JSON fields, for summary lines.
    pub fn fields(&self) -> serde_json::Value {
        serde_json::json!({ "d1_round_trips": self.d1.get(), "r2_ops": self.r2.get(), "queue_sends": self.queue.get(),
            "fetches": self.fetch.get(), "subrequests": self.total() })
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Counts>>> = const { RefCell::new(None) };
    static FETCH_WRAPPED: Cell<bool> = const { Cell::new(false) };
    /// The `env` whose bindings were last wrapped: the runtime hands every invocation of an isolate the same object,
    /// so one identity check replaces the property reads (each a JS string and a call across the boundary).
    static WRAPPED_ENV: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Counts one subrequest for the invocation being polled (none outside an invocation, e.g. in tests).
pub fn count(kind: Kind) {
    CURRENT.with(|current| {
        if let Some(counts) = current.borrow().as_ref() {
            counts.add(kind);
        }
    });
}

/// Subrequests left to the invocation being polled, keeping `reserve` for its own bookkeeping afterwards.
pub fn remaining(reserve: u32) -> u32 {
    let used = CURRENT.with(|current| current.borrow().as_ref().map_or(0, |c| c.total()));
    SUBREQUEST_LIMIT.saturating_sub(used).saturating_sub(reserve)
}

/// An invocation's future, with its counts current whenever it runs.
pub struct Metered<T> {
    counts: Rc<Counts>,
    inner: Pin<Box<dyn Future<Output = T>>>,
}

impl<T> Metered<T> {
    pub fn new(counts: Rc<Counts>, inner: impl Future<Output = T> + 'static) -> Self {
        Self { counts, inner: Box::pin(inner) }
    }
}

impl<T> Future for Metered<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let previous = CURRENT.with(|current| current.replace(Some(self.counts.clone())));
        let result = self.inner.as_mut().poll(cx);
        CURRENT.with(|current| *current.borrow_mut() = previous);
        result
    }
}

/// Wraps `fetch` and the R2 and queue bindings so their calls are counted; cheap after the first time.
pub fn install(env: &Env) {
    let env_value: &JsValue = env.as_ref();
    if WRAPPED_ENV.with(|wrapped| wrapped.borrow().as_ref() == Some(env_value)) {
        return;
    }
    if !FETCH_WRAPPED.with(Cell::get) {
        let global: JsValue = worker::js_sys::global().into();
        if wrap_method(&global, "fetch", Kind::Fetch) {
            FETCH_WRAPPED.with(|done| done.set(true));
        }
    }
    for (binding, methods, kind) in [
        ("IMAGES", &["head", "get", "put", "delete", "list", "createMultipartUpload"][..], Kind::R2),
        ("GENERATION_QUEUE", &["send", "sendBatch"][..], Kind::Queue),
    ] {
        let Ok(object) = Reflect::get(env, &JsValue::from_str(binding)) else { continue };
        if object.is_object() && !Reflect::has(&object, &JsValue::from_str(MARK)).unwrap_or(true) {
            for method in methods {
                wrap_method(&object, method, kind);
            }
            let _ = Reflect::set(&object, &JsValue::from_str(MARK), &JsValue::TRUE);
        }
    }
    if FETCH_WRAPPED.with(Cell::get) {
        WRAPPED_ENV.with(|wrapped| *wrapped.borrow_mut() = Some(env_value.clone()));
    }
}

const MARK: &str = "__gptimg_metered";

/// Replaces `target[name]` by a function that counts, then calls the original with the same `this`. The
/// wrapper lives as long as the isolate, like the binding it wraps.
fn wrap_method(target: &JsValue, name: &str, kind: Kind) -> bool {
    let Ok(original) = Reflect::get(target, &JsValue::from_str(name)).and_then(|f| f.dyn_into::<Function>()) else {
        return false;
    };
    let this = target.clone();
    let wrapper = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(move |a, b, c| {
        count(kind);
        // A synchronous throw (e.g. an invalid URL) becomes the rejected promise callers already handle.
        original.call3(&this, &a, &b, &c).unwrap_or_else(|error| Promise::reject(&error).into())
    });
    let installed = Reflect::set(target, &JsValue::from_str(name), wrapper.as_ref()).unwrap_or(false);
    wrapper.forget();
    installed
}

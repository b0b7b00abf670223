//! Outbound HTTP to the services GPTImg depends on: Google, Stripe and APIPod (and Google's image host for
//! avatars), every call built by `outbound::Outbound` and bound by ONE deadline that covers the answer's headers
//! and its whole body (a download included): a provider that hangs or trickles is cut off when it passes. The
//! deadlines, per service: APIPod calls 8 s and result downloads 20 s, Google token and keys 8 s, Stripe 10 s,
//! profile images 5 s.

pub mod apipod;
pub mod google;
pub mod outbound;
pub mod stripe;

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_util::future::{select, Either};
use futures_util::Stream;
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::JsCast;
use worker::{AbortController, Fetch, Response};

use crate::blobs::ByteChunks;

/// A call that got no answer: it failed to connect, or its deadline passed before the answer (headers and
/// body) was complete.
#[derive(Debug)]
pub enum NoAnswer {
    Failed(worker::Error),
    TimedOut { after_ms: u64 },
}

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "{error}"),
            Self::TimedOut { after_ms } => write!(f, "no complete answer within {after_ms} ms"),
        }
    }
}

/// What a deadline's timer shares with the request and body it guards.
#[derive(Default)]
struct Shared {
    passed: Cell<bool>,
    /// Whoever waits for the answer right now (the headers, then each body chunk): woken when the deadline passes.
    waiting: RefCell<Option<Waker>>,
}

/// One deadline for a whole call, started when the call is sent. When it passes, the request is aborted (which
/// also errors a body still arriving) and whoever waits is woken; it is cleared when dropped.
pub struct Deadline {
    shared: Rc<Shared>,
    after_ms: u64,
    timeout_id: Option<i32>,
    _on_time: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(after_ms: u64, controller: AbortController) -> Self {
        let shared = Rc::new(Shared::default());
        let mut controller = Some(controller);
        let fired = shared.clone();
        let on_time = Closure::<dyn FnMut()>::new(move || {
            fired.passed.set(true);
            if let Some(controller) = controller.take() {
                controller.abort();
            }
            if let Some(waker) = fired.waiting.borrow_mut().take() {
                waker.wake();
            }
        });
        let global: worker::web_sys::WorkerGlobalScope = worker::js_sys::global().unchecked_into();
        let timeout_id = global
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_time.as_ref().unchecked_ref(),
                i32::try_from(after_ms).unwrap_or(i32::MAX),
            )
            .ok();
        Self { shared, after_ms, timeout_id, _on_time: on_time }
    }

    pub fn passed(&self) -> bool {
        self.shared.passed.get()
    }

    /// Whether it has passed, asked after the deadline itself has moved into a body (`before_deadline`).
    pub fn watch(&self) -> impl Fn() -> bool {
        let shared = self.shared.clone();
        move || shared.passed.get()
    }

    pub fn timed_out(&self) -> NoAnswer {
        NoAnswer::TimedOut { after_ms: self.after_ms }
    }

    fn wait_with(&self, cx: &Context<'_>) {
        *self.shared.waiting.borrow_mut() = Some(cx.waker().clone());
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(id) = self.timeout_id.take() {
            let global: worker::web_sys::WorkerGlobalScope = worker::js_sys::global().unchecked_into();
            global.clear_timeout_with_handle(id);
        }
    }
}

/// The deadline as a future: ready once it has passed.
struct Passed<'a>(&'a Deadline);

impl std::future::Future for Passed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.passed() {
            return Poll::Ready(());
        }
        self.0.wait_with(cx);
        Poll::Pending
    }
}

/// A body read under its call's deadline: once the deadline has passed, the next read is an error (never a
/// silent end), however slowly the bytes were coming.
struct BeforeDeadline {
    inner: ByteChunks,
    deadline: Deadline,
}

impl Stream for BeforeDeadline {
    type Item = worker::Result<Vec<u8>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let cut =
            |deadline: &Deadline| Poll::Ready(Some(Err(worker::Error::RustError(deadline.timed_out().to_string()))));
        if self.deadline.passed() {
            return cut(&self.deadline);
        }
        self.deadline.wait_with(cx);
        match self.inner.as_mut().poll_next(cx) {
            // The abort ends or errors the runtime's stream: what ended it was the deadline.
            Poll::Ready(_) if self.deadline.passed() => cut(&self.deadline),
            other => other,
        }
    }
}

/// Chunks that stop at `deadline` (it moves into the stream, so it lives as long as the body is read).
fn before_deadline(inner: ByteChunks, deadline: Deadline) -> ByteChunks {
    Box::pin(BeforeDeadline { inner, deadline })
}

/// Sends `fetch` under a deadline of `timeout_ms` that starts now and also bounds the body: the answer comes
/// back with its deadline, which the body reader (`outbound::Received::body`) keeps.
async fn send_with_deadline(fetch: Fetch, timeout_ms: u64) -> Result<(Response, Deadline), NoAnswer> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let deadline = Deadline::start(timeout_ms, controller);
    let request = fetch.send_with_signal(&signal);
    futures_util::pin_mut!(request);
    let outcome = match select(request, Passed(&deadline)).await {
        Either::Left((result, _)) => Some(result),
        Either::Right(((), _)) => None,
    };
    match outcome {
        Some(Ok(response)) if !deadline.passed() => Ok((response, deadline)),
        Some(Err(error)) if !deadline.passed() => Err(NoAnswer::Failed(error)),
        _ => Err(deadline.timed_out()),
    }
}

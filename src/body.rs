//! The one bounded body reader, for request bodies and the answers of outbound calls alike: a declared
//! `Content-Length` over the cap is refused before reading, and the bytes are counted as they arrive. A request
//! body refused part-way is read to its end (within bounds) before the refusal is answered.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{future, Stream, StreamExt};
use worker::{Delay, Headers, Request, Response};

use crate::blobs::ByteChunks;
use crate::platform;

/// How much of a refused request body is still read and discarded, and for how long, before the refusal is
/// answered. A client that has already sent its whole body expects the answer to follow it; a body abandoned
/// part-way leaves the rest of it unread on the connection, which stalls every following request behind a
/// proxy that forwards bodies as they arrive (`wrangler dev` does, until the client hangs up). Past these bounds
/// the client is still sending, and the body is cancelled instead: its connection is then dropped, not stalled.
/// HTTP servers do the same (nginx's lingering close).
const DRAIN_MAX_BYTES: usize = 16 * 1024 * 1024;
const DRAIN_MAX_WAIT_MS: i64 = 2_000;
const DRAIN_MAX_GAP: Duration = Duration::from_millis(250);

/// A request or a response: something with headers and a body that can be taken once as a stream.
pub trait HasBody {
    /// Whether a body refused part-way is read to its end before answering (requests: the client is waiting to
    /// send the rest), or simply cancelled (an outbound answer: nobody waits behind it).
    const DRAINS_WHEN_REFUSED: bool;
    fn header_map(&self) -> &Headers;
    fn take_stream(&mut self) -> worker::Result<worker::ByteStream>;
}

impl HasBody for Request {
    const DRAINS_WHEN_REFUSED: bool = true;
    fn header_map(&self) -> &Headers {
        self.headers()
    }
    fn take_stream(&mut self) -> worker::Result<worker::ByteStream> {
        self.stream()
    }
}

impl HasBody for Response {
    const DRAINS_WHEN_REFUSED: bool = false;
    fn header_map(&self) -> &Headers {
        self.headers()
    }
    fn take_stream(&mut self) -> worker::Result<worker::ByteStream> {
        self.stream()
    }
}

/// A body taken for reading: its chunks and the length it declared, if any.
pub struct Body {
    pub chunks: ByteChunks,
    pub declared: Option<u64>,
    drains_when_refused: bool,
}

impl Body {
    /// Takes the body of `source`; one without a body (e.g. a GET) reads as empty.
    pub fn take<S: HasBody>(source: &mut S) -> Self {
        Self::take_declared(source).take_stream(source)
    }

    /// Only the declared length: the stream is taken by `take_stream` if it is needed.
    fn take_declared<S: HasBody>(source: &S) -> Self {
        let declared = source.header_map().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
        Self { chunks: Box::pin(futures_util::stream::empty()), declared, drains_when_refused: S::DRAINS_WHEN_REFUSED }
    }

    fn take_stream(mut self, source: &mut impl HasBody) -> Self {
        if let Ok(stream) = source.take_stream() {
            self.chunks = Box::pin(stream);
        }
        self
    }

    /// The same body with its chunks passed through `wrap` (e.g. a deadline on every read).
    pub fn map_chunks(self, wrap: impl FnOnce(ByteChunks) -> ByteChunks) -> Self {
        Self { chunks: wrap(self.chunks), ..self }
    }

    /// The chunks, for a consumer that may refuse the body part-way (a checked put into R2), and what is left
    /// of it once that consumer has dropped them: `Leftover::discard` reads the rest if the body was refused.
    pub fn lend(self) -> (ByteChunks, Leftover) {
        if !self.drains_when_refused {
            return (self.chunks, Leftover(None));
        }
        let shared = Rc::new(RefCell::new(self.chunks));
        (Box::pin(Lent(shared.clone())), Leftover(Some(shared)))
    }

    /// Whether the body has already said it is longer than `max_bytes`.
    pub fn declares_more_than(&self, max_bytes: usize) -> bool {
        self.declared.is_some_and(|len| len > max_bytes as u64)
    }

    /// The whole body, or `None` once it is known to exceed `max_bytes`: refused from a larger declared length,
    /// and otherwise counted chunk by chunk, so a body without one is abandoned as soon as it passes the cap and
    /// never buffered beyond it.
    pub async fn read(mut self, max_bytes: usize) -> worker::Result<Option<Vec<u8>>> {
        if self.declares_more_than(max_bytes) {
            return Ok(None);
        }
        let capacity = self.declared.and_then(|len| usize::try_from(len).ok()).unwrap_or(0);
        let mut bytes = Vec::with_capacity(capacity);
        while let Some(chunk) = self.chunks.next().await {
            let chunk = chunk?;
            if bytes.len() + chunk.len() > max_bytes {
                if self.drains_when_refused {
                    drop(bytes);
                    discard_rest(&mut self.chunks).await;
                }
                return Ok(None);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }
}

/// The chunks of a lent body: the stream itself stays with its `Leftover`, so dropping these does not cancel it.
struct Lent(Rc<RefCell<ByteChunks>>);

impl Stream for Lent {
    type Item = worker::Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.borrow_mut().as_mut().poll_next(cx)
    }
}

/// What remains of a lent request body after its consumer is done with it.
pub struct Leftover(Option<Rc<RefCell<ByteChunks>>>);

impl Leftover {
    /// Reads and discards the rest of a refused body (within bounds), so the refusal is answered after the bytes
    /// the client has already sent; a body read to its end has nothing left and returns at once.
    pub async fn discard(self) {
        if let Some(shared) = self.0 {
            discard_rest(&mut Lent(shared)).await;
        }
    }
}

/// Reads and drops chunks while they keep coming: until the body ends or errs, a chunk takes longer than
/// `DRAIN_MAX_GAP` to arrive (the client is not done sending, so nothing is waiting behind it), or the bounds on
/// bytes and time are passed. Whatever is left is cancelled when the stream is dropped.
async fn discard_rest(chunks: &mut (impl Stream<Item = worker::Result<Vec<u8>>> + Unpin)) {
    let started = platform::now();
    let mut discarded = 0usize;
    while discarded <= DRAIN_MAX_BYTES && platform::now().0 - started.0 <= DRAIN_MAX_WAIT_MS {
        match future::select(chunks.next(), Delay::from(DRAIN_MAX_GAP)).await {
            future::Either::Left((Some(Ok(chunk)), _)) => discarded += chunk.len(),
            future::Either::Left((None | Some(Err(_)), _)) | future::Either::Right(_) => return,
        }
    }
}

/// The whole body of a request, or `None` if it exceeds `max_bytes` (see `Body::read`).
pub async fn read_capped(req: &mut Request, max_bytes: usize) -> worker::Result<Option<Vec<u8>>> {
    let body = Body::take_declared(req);
    if body.declares_more_than(max_bytes) {
        return Ok(None);
    }
    if body.declared.is_some() && !is_encoded(req) {
        // A plain body of a declared length within the cap: the runtime delivers exactly that many bytes, so one
        // `arrayBuffer()` reads it — one promise across the wasm boundary instead of a stream read per chunk
        // (most of what a small JSON request cost to read). The length is checked again all the same.
        let bytes = req.bytes().await?;
        return Ok((bytes.len() <= max_bytes).then_some(bytes));
    }
    body.take_stream(req).read(max_bytes).await
}

fn is_encoded(req: &Request) -> bool {
    req.headers().get("content-encoding").ok().flatten().is_some_and(|e| !e.eq_ignore_ascii_case("identity"))
}

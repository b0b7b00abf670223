//! The one bounded body reader, for request bodies and the answers of outbound calls alike: a declared
//! `Content-Length` over the cap is refused before reading, and the bytes are counted as they arrive.

use futures_util::StreamExt;
use worker::{Headers, Request, Response};

use crate::blobs::ByteChunks;

/// A request or a response: something with headers and a body that can be taken once as a stream.
pub trait HasBody {
    fn header_map(&self) -> &Headers;
    fn take_stream(&mut self) -> worker::Result<worker::ByteStream>;
}

impl HasBody for Request {
    fn header_map(&self) -> &Headers {
        self.headers()
    }
    fn take_stream(&mut self) -> worker::Result<worker::ByteStream> {
        self.stream()
    }
}

impl HasBody for Response {
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
}

impl Body {
    /// Takes the body of `source`; one without a body (e.g. a GET) reads as empty.
    pub fn take(source: &mut impl HasBody) -> Self {
        Self::take_declared(source).take_stream(source)
    }

    /// Only the declared length: the stream is taken by `take_stream` if it is needed.
    fn take_declared(source: &impl HasBody) -> Self {
        let declared = source.header_map().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
        Self { chunks: Box::pin(futures_util::stream::empty()), declared }
    }

    fn take_stream(mut self, source: &mut impl HasBody) -> Self {
        if let Ok(stream) = source.take_stream() {
            self.chunks = Box::pin(stream);
        }
        self
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
                return Ok(None);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
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

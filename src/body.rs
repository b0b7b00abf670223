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
        let declared = source.header_map().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
        let chunks: ByteChunks = match source.take_stream() {
            Ok(stream) => Box::pin(stream),
            Err(_) => Box::pin(futures_util::stream::empty()),
        };
        Self { chunks, declared }
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

/// The whole body of a request or response, or `None` if it exceeds `max_bytes` (see `Body::read`).
pub async fn read_capped(source: &mut impl HasBody, max_bytes: usize) -> worker::Result<Option<Vec<u8>>> {
    Body::take(source).read(max_bytes).await
}

//! R2 access: where uploads and generated images live, streaming checked images in (never a whole copy in
//! memory: at most one multipart part when the length is unknown), reading them back (whole or by range), and
//! deleting in bounded chunks.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{GenerationId, ImageId, UploadId};
use gptimg_domain::images::stream::{StreamCheck, StreamedImage};
use gptimg_domain::images::{too_large, ImageLimits};
use gptimg_domain::DomainError;
use worker::{Bucket, Data, Env, FixedLengthStream, MultipartUpload, Object, Range, UploadedPart};

use crate::meter::{self, Kind};

/// R2's limit on keys per `delete` call.
pub const MAX_KEYS_PER_DELETE: usize = 1000;
/// A body of unknown length is stored in parts of this size (R2: every part but the last the same size, at
/// least 5 MiB), so memory holds one part, never the whole image; one that ends within it is a single put.
const PART_BYTES: usize = 8 * 1024 * 1024;

/// A body on its way into R2.
pub type ByteChunks = Pin<Box<dyn Stream<Item = worker::Result<Vec<u8>>>>>;

pub fn bucket(env: &Env) -> worker::Result<Bucket> {
    env.bucket("IMAGES")
}

pub fn upload_key(account_id: &AccountId, upload_id: &UploadId) -> String {
    format!("uploads/{account_id}/{upload_id}")
}

/// Keyed by the image's own random id, so no other finishing attempt can ever write or delete this object.
/// No extension: the format is known only once the bytes have streamed through, and reads serve D1's type.
pub fn output_key(account_id: &AccountId, generation_id: &GenerationId, image_id: &ImageId) -> String {
    format!("generations/{account_id}/{generation_id}/{image_id}")
}

/// Why a checked put stored nothing.
#[derive(Debug)]
pub enum PutError {
    /// The bytes are not an acceptable image (too large, wrong type, truncated, out of bounds).
    Refused(DomainError),
    Storage(worker::Error),
}

impl From<worker::Error> for PutError {
    fn from(error: worker::Error) -> Self {
        Self::Storage(error)
    }
}

/// A stored, checked image and its R2 ETag.
pub struct StoredObject {
    pub image: StreamedImage,
    pub etag: String,
}

struct Tap {
    check: StreamCheck,
    refusal: Option<DomainError>,
}

/// Passes chunks through unchanged while feeding the check; errors the stream the moment the cap is passed.
struct Checked {
    inner: ByteChunks,
    tap: Rc<RefCell<Tap>>,
}

impl Stream for Checked {
    type Item = worker::Result<Vec<u8>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let mut tap = self.tap.borrow_mut();
                match tap.check.feed(&chunk) {
                    Ok(()) => Poll::Ready(Some(Ok(chunk))),
                    Err(refusal) => {
                        tap.refusal = Some(refusal);
                        Poll::Ready(Some(Err(worker::Error::RustError("body over its size cap".into()))))
                    }
                }
            }
            other => other,
        }
    }
}

/// Streams `body` into R2 at `key`, checking it as an image on the way. With a known length the bytes go
/// straight through (`FixedLengthStream`); without one they are stored part by part (`put_unsized`), 413 as
/// soon as the cap is passed. Anything refused leaves no object behind. The content type is not stored in R2:
/// every read serves the type recorded in D1.
pub async fn put_checked(
    bucket: &Bucket,
    key: &str,
    body: ByteChunks,
    length: Option<u64>,
    limits: ImageLimits,
) -> Result<StoredObject, PutError> {
    if length.is_some_and(|len| len > limits.max_bytes as u64) {
        return Err(PutError::Refused(too_large(limits.max_bytes)));
    }
    let tap = Rc::new(RefCell::new(Tap { check: StreamCheck::new(limits), refusal: None }));
    let checked = Checked { inner: body, tap: tap.clone() };
    let put = match length {
        Some(len) => bucket.put(key, Data::Stream(FixedLengthStream::wrap(checked, len))).execute().await,
        None => put_unsized(bucket, key, checked).await,
    };
    let Tap { check, refusal } =
        std::mem::replace(&mut *tap.borrow_mut(), Tap { check: StreamCheck::new(limits), refusal: None });
    if let Some(refusal) = refusal {
        return Err(PutError::Refused(refusal));
    }
    let object = put?.ok_or_else(|| worker::Error::RustError(format!("R2 did not store {key}")))?;
    match check.finish() {
        Ok(image) => Ok(StoredObject { image, etag: object.http_etag() }),
        Err(refusal) => {
            bucket.delete(key).await?;
            Err(PutError::Refused(refusal))
        }
    }
}

/// A body of unknown length: one put if it ends within the first part, else a multipart upload of equal parts
/// (aborted if reading or storing fails, so no parts are left behind).
async fn put_unsized(bucket: &Bucket, key: &str, mut body: Checked) -> worker::Result<Option<Object>> {
    let mut part: Vec<u8> = Vec::new();
    let mut upload: Option<(MultipartUpload, Vec<UploadedPart>)> = None;
    let stored = async {
        while let Some(chunk) = body.next().await {
            let mut rest: &[u8] = &chunk?;
            while !rest.is_empty() {
                let take = (PART_BYTES - part.len()).min(rest.len());
                part.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if part.len() == PART_BYTES {
                    if upload.is_none() {
                        upload = Some((bucket.create_multipart_upload(key).execute().await?, Vec::new()));
                    }
                    if let Some((multipart, parts)) = upload.as_mut() {
                        parts.push(upload_part(multipart, parts.len(), std::mem::take(&mut part)).await?);
                    }
                }
            }
        }
        match upload.take() {
            None => bucket.put(key, std::mem::take(&mut part)).execute().await,
            Some((multipart, mut parts)) => {
                if !part.is_empty() {
                    parts.push(upload_part(&multipart, parts.len(), std::mem::take(&mut part)).await?);
                }
                meter::count(Kind::R2);
                multipart.complete(parts).await.map(Some)
            }
        }
    }
    .await;
    if stored.is_err() {
        if let Some((multipart, _)) = upload {
            meter::count(Kind::R2);
            // The failure that matters is the one being returned; an unaborted upload expires by R2's lifecycle.
            let _ = multipart.abort().await;
        }
    }
    stored
}

/// Part numbers start at 1. The binding's multipart object is not wrapped by `meter`, so its calls count here.
async fn upload_part(multipart: &MultipartUpload, done: usize, bytes: Vec<u8>) -> worker::Result<UploadedPart> {
    meter::count(Kind::R2);
    let number = u16::try_from(done + 1).map_err(|_| worker::Error::RustError("too many parts".into()))?;
    multipart.upload_part(number, bytes).await
}

pub async fn get(bucket: &Bucket, key: &str, range: Option<Range>) -> worker::Result<Option<Object>> {
    let request = bucket.get(key);
    match range {
        Some(range) => request.range(range).execute().await,
        None => request.execute().await,
    }
}

/// Deletes the keys in calls of at most `MAX_KEYS_PER_DELETE`; stops at the first failure.
pub async fn delete_all(bucket: &Bucket, keys: &[String]) -> worker::Result<()> {
    for chunk in keys.chunks(MAX_KEYS_PER_DELETE) {
        bucket.delete_multiple(chunk.to_vec()).await?;
    }
    Ok(())
}

//! Reading a stored image: by its owner (session or key) or a share token, or through a signed reference link.

use gptimg_domain::generation::ImageId;
use gptimg_domain::time::UnixMillis;

use worker::{Bucket, Object, Range};

use super::error::CoreError;
use crate::blobs;
use crate::store::gallery;
pub use crate::store::gallery::{ReadableImage, SignedImage};
use crate::store::Db;

/// Who may be reading: the session's token hash, a share token, an API key's account.
pub struct Reader<'a> {
    pub session_hash: Option<&'a str>,
    pub share_token: Option<&'a str>,
    pub key_account: Option<&'a str>,
}

/// The image if `reader` may see it; `None` otherwise, the same as a missing one.
pub async fn readable(
    db: &Db,
    image_id: &str,
    reader: &Reader<'_>,
    now: UnixMillis,
) -> Result<Option<ReadableImage>, CoreError> {
    Ok(gallery::readable_image(db, image_id, reader.session_hash, reader.share_token, reader.key_account, now).await?)
}

/// Where a signed link's image is kept (the caller has checked the signature).
pub async fn signed(db: &Db, id: &ImageId) -> Result<Option<SignedImage>, CoreError> {
    Ok(gallery::signed_image(db, id).await?)
}

/// The stored bytes under `r2_key` (a byte range of them when asked), streamed by the caller; `None` if R2 has
/// no such object.
pub async fn bytes(bucket: &Bucket, r2_key: &str, range: Option<Range>) -> Result<Option<Object>, CoreError> {
    Ok(blobs::get(bucket, r2_key, range).await?)
}

//! R2 access: where uploads and generated images live, and reading them back (whole or by range).

use worker::{Bucket, Env, HttpMetadata, Object, Range};

pub fn bucket(env: &Env) -> worker::Result<Bucket> {
    env.bucket("IMAGES")
}

pub fn upload_key(account_id: &str, upload_id: &str) -> String {
    format!("uploads/{account_id}/{upload_id}")
}

pub fn output_key(account_id: &str, generation_id: &str, position: usize, extension: &str) -> String {
    format!("generations/{account_id}/{generation_id}/{position}.{extension}")
}

/// Stores bytes with their content type; returns the object's HTTP ETag.
pub async fn put(bucket: &Bucket, key: &str, bytes: Vec<u8>, content_type: &str) -> worker::Result<String> {
    let metadata = HttpMetadata {
        content_type: Some(content_type.to_owned()),
        content_language: None,
        content_disposition: None,
        content_encoding: None,
        cache_control: None,
        cache_expiry: None,
    };
    let object = bucket.put(key, bytes).http_metadata(metadata).execute().await?;
    object.map(|o| o.http_etag()).ok_or_else(|| worker::Error::RustError(format!("R2 did not store {key}")))
}

pub async fn get(bucket: &Bucket, key: &str, range: Option<Range>) -> worker::Result<Option<Object>> {
    let request = bucket.get(key);
    match range {
        Some(range) => request.range(range).execute().await,
        None => request.execute().await,
    }
}

pub async fn delete_all(bucket: &Bucket, keys: Vec<String>) -> worker::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    bucket.delete_multiple(keys).await
}

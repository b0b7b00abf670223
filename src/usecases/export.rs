//! Exporting everything held about an account, with a link to each of its images.

use gptimg_domain::account::AccountId;
use gptimg_domain::image_sizes::ImageSize;
use gptimg_domain::links::image_path;
use gptimg_domain::time::UnixMillis;
use serde_json::{json, Value};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::store::{privacy as store, Db};

/// The export document (`store::export_document`), each generation's images (and their renditions) carrying
/// their absolute URL.
pub async fn export_account(
    db: &Db,
    config: &Config,
    account_id: &AccountId,
    now: UnixMillis,
) -> Result<Value, ApiError> {
    let mut data = store::export(db, account_id).await?;
    if let Some(Value::Array(generations)) = data.get_mut("generations") {
        for generation in generations {
            if let Some(Value::Array(images)) = generation.get_mut("images") {
                for image in images {
                    let url = config.app_url.join(&image_path(image["id"].as_str().unwrap_or_default()));
                    for size in [ImageSize::Medium, ImageSize::Preview] {
                        if let Some(rendition) = image.get_mut(size.as_str()).filter(|r| r.is_object()) {
                            rendition["url"] = json!(format!("{url}?size={}", size.as_str()));
                        }
                    }
                    image["url"] = json!(url);
                }
            }
        }
    }
    Ok(store::export_document(data, now))
}

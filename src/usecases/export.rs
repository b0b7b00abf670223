//! Exporting everything held about an account, with a link to each of its images.

use gptimg_domain::account::AccountId;
use gptimg_domain::links::image_path;
use gptimg_domain::time::UnixMillis;
use serde_json::{json, Value};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::store::{privacy as store, Db};

/// The export document (`store::export_document`), each generation's images carrying their absolute URL.
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
                    image["url"] = json!(url);
                }
            }
        }
    }
    Ok(store::export_document(data, now))
}

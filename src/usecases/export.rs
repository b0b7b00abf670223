//! Exporting everything held about an account as one JSON document streamed page by page (one D1 query per page,
//! never the whole account in memory), each upload and image carrying a signed, expiring link to its bytes.

use gptimg_domain::account::export::{EXPORT_LINK_LIFETIME_SECS, EXPORT_MAX_PAGES};
use gptimg_domain::account::AccountId;
use gptimg_domain::images::sizes::ImageSize;
use gptimg_domain::links::{image_content_path, image_path, signed_path, upload_content_path};
use gptimg_domain::time::UnixMillis;
use gptimg_domain::url::BaseUrl;
use serde_json::{json, Value};

use crate::store::export::{self as store, ExportCursor, EXPORT_CATEGORIES};
use crate::store::Db;

/// What the stream needs after the handler has returned (it owns all of it).
pub struct Export {
    pub db: Db,
    pub account_id: AccountId,
    pub secret: Vec<u8>,
    pub app_url: BaseUrl,
    pub now: UnixMillis,
}

/// Where the stream is: inside category `index` (after `cursor`), at the document's tail, or done.
enum Step {
    Category { index: usize, cursor: Option<ExportCursor>, first_row: bool },
    End,
    Done,
}

struct State {
    export: Export,
    step: Step,
    pages: u32,
    /// A page was left unread: the document says it is incomplete.
    truncated: bool,
    tail: String,
}

/// The document as a stream of byte chunks: its head, each page of each category, its tail. A page that cannot
/// be read ends the stream with the error (the download is then visibly incomplete, never silently short).
pub fn stream(export: Export) -> impl futures_util::TryStream<Ok = Vec<u8>, Error = worker::Error> {
    let expires = export.now.as_secs() + EXPORT_LINK_LIFETIME_SECS;
    let (head, tail) = store::export_frame(export.now, expires);
    let step = Step::Category { index: 0, cursor: None, first_row: true };
    let state = State { export, step, pages: 0, truncated: false, tail };
    futures_util::stream::try_unfold((state, Some(head)), |(mut state, head)| async move {
        if let Some(head) = head {
            return Ok(Some((head.into_bytes(), (state, None))));
        }
        let chunk = match std::mem::replace(&mut state.step, Step::Done) {
            Step::Category { index, cursor, first_row } => next_page(&mut state, index, cursor, first_row).await?,
            Step::End if state.truncated => format!("}},\"incomplete\":true,{}", &state.tail[2..]),
            Step::End => std::mem::take(&mut state.tail),
            Step::Done => return Ok(None),
        };
        Ok(Some((chunk.into_bytes(), (state, None))))
    })
}

/// One page of category `index` as JSON text (with the category's opening and closing as they fall), and the step
/// after it.
async fn next_page(
    state: &mut State,
    index: usize,
    cursor: Option<ExportCursor>,
    first_row: bool,
) -> worker::Result<String> {
    let category = &EXPORT_CATEGORIES[index];
    let mut out = String::new();
    if cursor.is_none() && first_row {
        out.push_str(if index == 0 { "" } else { "," });
        out.push_str(&format!("\"{}\":[", category.name));
    }
    // A budget of subrequests per invocation: past it, the document says it is incomplete instead of failing.
    let (rows, next) = if state.pages < EXPORT_MAX_PAGES {
        state.pages += 1;
        store::export_page(&state.export.db, category, &state.export.account_id, cursor.as_ref()).await?
    } else {
        state.truncated = true;
        (Vec::new(), None)
    };
    let wrote_rows = !rows.is_empty();
    for (i, mut row) in rows.into_iter().enumerate() {
        add_links(&state.export, category.name, &mut row, state.export.now.as_secs() + EXPORT_LINK_LIFETIME_SECS);
        if !(first_row && i == 0) {
            out.push(',');
        }
        out.push_str(&row.to_string());
    }
    let first_row = first_row && !wrote_rows;
    state.step = match next {
        Some(cursor) => Step::Category { index, cursor: Some(cursor), first_row },
        None => {
            out.push(']');
            match index + 1 < EXPORT_CATEGORIES.len() {
                true => Step::Category { index: index + 1, cursor: None, first_row: true },
                false => Step::End,
            }
        }
    };
    Ok(out)
}

/// The app's URL of each image (and rendition), and a signed link to the bytes of each image and upload.
fn add_links(export: &Export, category: &str, row: &mut Value, expires_secs: i64) {
    let signed = |id: &str, path: &str| export.app_url.join(&signed_path(&export.secret, id, path, expires_secs));
    match category {
        "generations" => {
            let Some(Value::Array(images)) = row.get_mut("images") else { return };
            for image in images {
                let id = image["id"].as_str().unwrap_or_default().to_owned();
                let url = export.app_url.join(&image_path(&id));
                for size in [ImageSize::Medium, ImageSize::Preview] {
                    if let Some(rendition) = image.get_mut(size.as_str()).filter(|r| r.is_object()) {
                        rendition["url"] = json!(format!("{url}?size={}", size.as_str()));
                    }
                }
                image["url"] = json!(url);
                image["download_url"] = json!(signed(&id, &image_content_path(&id)));
            }
        }
        "uploads" => {
            let id = row["id"].as_str().unwrap_or_default().to_owned();
            row["download_url"] = json!(signed(&id, &upload_content_path(&id)));
        }
        _ => {}
    }
}

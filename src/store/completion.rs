//! Recording a generation's success: marked succeeded with its images and their WebP renditions in ONE guarded
//! batch, won only by the finisher whose claim is still the current one.

use gptimg_domain::generation::{GenerationId, ImageId};
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::renditions::Made;
use super::{int, opt_int, text, Db};

/// One stored output, ready to be recorded.
pub struct StoredImage {
    pub id: ImageId,
    pub position: i64,
    pub r2_key: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub width: i64,
    pub height: i64,
    pub etag: String,
    pub renditions: Renditions,
}

/// The finisher's renditions of a stored output, recorded with it.
pub enum Renditions {
    /// Made and stored in R2.
    Made { medium: Made, preview: Made },
    /// Not made (one failed attempt): the cron tries again at `retry_at` (`None`: never).
    Failed { retry_at: Option<UnixMillis> },
}

impl StoredImage {
    /// Every R2 object this output consists of: what a finisher that lost must delete.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec![self.r2_key.clone()];
        if let Renditions::Made { medium, preview } = &self.renditions {
            keys.extend([medium.key.clone(), preview.key.clone()]);
        }
        keys
    }
}

// Only the finisher whose claim is the current one (attempt count unchanged since it claimed) may settle it:
// a finisher whose claim expired and was taken over loses even if it gets here first.
const MARK_SUCCEEDED: &str = "UPDATE generations SET status = 'succeeded', finished_at = ?2, updated_at = ?2 \
 WHERE id = ?1 AND status = 'running' AND poll_attempts = ?3";

// With its renditions when the finisher made them (?12-?21, due NULL); otherwise with the failed attempt counted
// (?22) and the cron's retry due at ?23.
const INSERT_IMAGE: &str =
    "INSERT INTO generation_images (id, generation_id, account_id, position, r2_key, content_type, size_bytes, \
 width, height, etag, created_at, medium_key, medium_etag, medium_bytes, medium_width, medium_height, preview_key, \
 preview_etag, preview_bytes, preview_width, preview_height, renditions_tries, renditions_due_at) \
 SELECT ?1, id, account_id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23 \
 FROM generations WHERE id = ?2 AND status = 'succeeded' AND poll_attempts = ?11 \
 ON CONFLICT (generation_id, position) DO NOTHING";

// Won when it succeeded under this claim and the rows hold this attempt's images (the attempt count never
// moves once a generation has succeeded, so exactly one claim can see this).
const WON: &str = "SELECT (status = 'succeeded' AND poll_attempts = ?2) AS won FROM generations WHERE id = ?1";

#[derive(Deserialize)]
struct WonRow {
    won: i64,
}

/// Marks the generation succeeded with its images and their renditions if it is still running under the caller's
/// claim (one batch, one round trip). Returns whether this call won; a loser must delete the objects it wrote.
pub async fn complete(
    db: &Db,
    generation_id: &GenerationId,
    claimed: i64,
    images: &[StoredImage],
    now: UnixMillis,
) -> worker::Result<bool> {
    let id = generation_id.as_str();
    let mut statements = vec![db.prepare(MARK_SUCCEEDED).bind(&[text(id), int(now.0), int(claimed)])?];
    for image in images {
        let mut values = vec![
            text(image.id.as_str()),
            text(id),
            int(image.position),
            text(&image.r2_key),
            text(image.content_type),
            int(image.size_bytes),
            int(image.width),
            int(image.height),
            text(&image.etag),
            int(now.0),
            int(claimed),
        ];
        match &image.renditions {
            Renditions::Made { medium, preview } => {
                for made in [medium, preview] {
                    values.extend([
                        text(&made.key),
                        text(&made.etag),
                        int(made.bytes),
                        int(made.width),
                        int(made.height),
                    ]);
                }
                values.extend([int(0), opt_int(None)]);
            }
            Renditions::Failed { retry_at } => {
                values.extend(std::iter::repeat_with(|| opt_int(None)).take(10));
                values.extend([int(1), opt_int(retry_at.map(|t| t.0))]);
            }
        }
        statements.push(db.prepare(INSERT_IMAGE).bind(&values)?);
    }
    statements.push(db.prepare(WON).bind(&[text(id), int(claimed)])?);
    let results = db.batch(statements).await?;
    let row = results.last().map(|r| r.results::<WonRow>()).transpose()?.and_then(|mut rows| rows.pop());
    Ok(row.is_some_and(|r| r.won == 1))
}

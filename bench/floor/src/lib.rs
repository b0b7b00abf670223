//! Benchmark floor Worker: each route does only the I/O its GPTImg counterpart cannot avoid, nothing else.

use worker::wasm_bindgen::JsValue;
use worker::{event, Context, Env, Request, Response, Result};

/// The same session-and-account lookup `GET /api/me` needs: one D1 query.
const ONE_QUERY: &str =
    "SELECT a.id, a.email, a.name, a.credits FROM sessions s JOIN accounts a ON a.id = s.account_id \
 WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    match req.path().as_str() {
        "/nothing" => Response::ok("ok"),
        "/d1-query" => {
            let statement = env.d1("DB")?.prepare(ONE_QUERY).bind(&[
                JsValue::from_str(&header("x-token-hash")),
                JsValue::from_f64(worker::Date::now().as_millis() as f64),
            ])?;
            Response::from_json(&statement.first::<serde_json::Value>(None).await?)
        }
        "/d1-batch" => {
            // The unavoidable writes of a webhook: record the event and credit the account, in one batch.
            let db = env.d1("DB")?;
            let event_id = header("x-event-id");
            let now = JsValue::from_f64(worker::Date::now().as_millis() as f64);
            db.batch(vec![
                db.prepare("INSERT INTO stripe_events (id, type, created, outcome, first_received_at, last_received_at) VALUES (?1, 'floor', 0, 'floor', ?2, ?2)")
                    .bind(&[JsValue::from_str(&event_id), now])?,
                db.prepare("UPDATE accounts SET credits = credits + 1 WHERE id = ?1").bind(&[JsValue::from_str(&header("x-account-id"))])?,
            ])
            .await?;
            Response::ok("ok")
        }
        "/r2-read" => {
            let object = env.bucket("IMAGES")?.get(header("x-key")).execute().await?;
            match object.and_then(|o| o.body().map(|b| b.response_body())) {
                Some(body) => Response::from_body(body?),
                None => Response::error("missing", 404),
            }
        }
        _ => Response::error("no such floor", 404),
    }
}

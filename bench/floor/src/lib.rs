//! Benchmark floor Worker: each route does only the I/O its GPTImg counterpart cannot avoid, nothing else.

use worker::wasm_bindgen::JsValue;
use worker::{event, Context, Env, Request, Response, Result};

/// The same session-and-account lookup `GET /api/me` needs: one D1 query.
const ONE_QUERY: &str =
    "SELECT a.id, a.email, a.name, a.credits FROM sessions s JOIN accounts a ON a.id = s.account_id \
 WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2";

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
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
            // A webhook must read the event it is sent, then make the writes DESIGN §6 makes unavoidable for a
            // paid invoice, in one batch: the event record, the ledger row (the dedupe key), the balance, and the
            // payment a later refund is reclaimed against.
            let event_id = JsValue::from_str(&header("x-event-id"));
            let account_id = JsValue::from_str(&header("x-account-id"));
            if req.bytes().await?.is_empty() {
                return Response::error("no event", 400);
            }
            let db = env.d1("DB")?;
            let now = JsValue::from_f64(worker::Date::now().as_millis() as f64);
            db.batch(vec![
                db.prepare("INSERT INTO stripe_events (id, type, created, outcome, first_received_at, last_received_at) VALUES (?1, 'invoice.paid', 0, 'credits_granted', ?2, ?2)")
                    .bind(&[event_id.clone(), now.clone()])?,
                db.prepare("INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) VALUES (?1, ?2, 'subscription_grant', ?1, 400, 0, 'floor', ?3)")
                    .bind(&[event_id.clone(), account_id.clone(), now.clone()])?,
                db.prepare("UPDATE accounts SET credits = credits + 400 WHERE id = ?1").bind(&[account_id.clone()])?,
                db.prepare("INSERT INTO payments (id, account_id, plan_id, kind, cause_id, amount_cents, currency, credits_granted, status, created_at, updated_at) VALUES (?1, ?2, 'pro_monthly', 'subscription', ?1, 1900, 'usd', 400, 'paid', ?3, ?3)")
                    .bind(&[event_id, account_id, now])?,
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

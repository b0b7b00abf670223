// Buying through the Worker and the Stripe stand-in, and reading balances, for billing tests.
import { asUser } from "./google-flow.mjs";

export async function startCheckout(worker, session, plan, extra = {}) {
  const response = await worker.fetch("/api/billing/checkout", {
    method: "POST", headers: asUser(worker, session, { "content-type": "application/json" }), body: JSON.stringify({ plan, ...extra }),
  });
  return { response, body: await response.json() };
}

/** Checkout + the hosted page's Pay button (over HTTP, as a browser would). Returns the Stripe session object. */
export async function buy(worker, session, plan) {
  const { response, body } = await startCheckout(worker, session, plan);
  if (response.status !== 200) throw new Error(`checkout failed: ${JSON.stringify(body)}`);
  const pay = await fetch(`${body.url}/pay`, { method: "POST", redirect: "manual" });
  if (pay.status !== 303) throw new Error(`pay failed: ${pay.status}`);
  return worker.fakes.stripe.state.sessions.get(body.id);
}

export async function profile(worker, session) {
  return (await worker.fetch("/api/me", { headers: asUser(worker, session) })).json();
}

export async function balance(worker, session) {
  return (await profile(worker, session)).credits;
}

export async function ledgerKinds(worker, accountId) {
  const { results } = await worker.db.prepare("SELECT kind, amount FROM credit_ledger WHERE account_id = ? ORDER BY created_at, id").bind(accountId).all();
  return results;
}

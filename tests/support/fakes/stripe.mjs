// Stand-in for Stripe: Checkout Sessions (recording what they were sent, honouring Idempotency-Key), a hosted
// checkout page whose Pay button sends the signed events Stripe would, a Billing Portal that can cancel, and
// functions tests call to send renewals, refunds, disputes, duplicates and hand-made events.
import crypto from "node:crypto";
import { sendJson } from "./server.mjs";

const rand = (prefix) => `${prefix}_test_${crypto.randomBytes(12).toString("hex")}`;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Nested form keys (`metadata[plan_id]`) read back from a flat URLSearchParams. */
function nested(form, prefix) {
  const out = {};
  for (const [key, value] of form) {
    const match = key.match(new RegExp(`^${prefix.replace(/[[\]]/g, "\\$&")}\\[([^\\]]+)\\]$`));
    if (match) out[match[1]] = value;
  }
  return out;
}

export function signPayload(payload, secret, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = crypto.createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

/**
 * `plans` is the Worker's PLANS JSON (so prices have amounts); `webhookUrl()` is where events go.
 */
export function createStripe({ secretKey, webhookSecret, plans, baseUrl, webhookUrl }) {
  const prices = new Map(JSON.parse(plans ?? "[]").map((p) => [p.stripe_price_id, p]));
  const state = {
    checkoutRequests: [], sessions: new Map(), customers: new Map(), subscriptions: new Map(), charges: new Map(),
    idempotency: new Map(), portalSessions: new Map(), sentEvents: [], failNext: null,
  };
  let lastCreated = 0;

  function buildEvent(type, object, created) {
    lastCreated = created ?? Math.max(Math.floor(Date.now() / 1000), lastCreated + 1);
    return { id: rand("evt"), object: "event", api_version: "2024-06-20", type, created: lastCreated, livemode: false, data: { object: structuredClone(object) } };
  }

  /** Posts the event, signed, `times` times (concurrently if asked). Resolves to the responses' statuses and bodies. */
  async function deliver(event, { times = 1, concurrent = false, secret = webhookSecret, signature } = {}) {
    const payload = JSON.stringify(event);
    const send = async () => {
      const response = await fetch(webhookUrl(), {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signature ?? signPayload(payload, secret) },
        body: payload,
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    };
    state.sentEvents.push(event);
    if (concurrent) return Promise.all(Array.from({ length: times }, send));
    const results = [];
    for (let i = 0; i < times; i++) results.push(await send());
    return results;
  }

  function customerFor(session) {
    if (session.customer) return session.customer;
    const id = rand("cus");
    state.customers.set(id, { id, email: session.customer_email });
    return id;
  }

  function newCharge(amount, currency, extra = {}) {
    const charge = { id: rand("ch"), object: "charge", amount, currency, amount_refunded: 0, refunded: false, payment_intent: rand("pi"), ...extra };
    state.charges.set(charge.payment_intent, charge);
    return charge;
  }

  function subscriptionObject(sub) {
    return {
      id: sub.id, object: "subscription", customer: sub.customer, status: sub.status, metadata: sub.metadata,
      cancel_at_period_end: sub.cancel_at_period_end, current_period_end: sub.current_period_end,
      items: { data: [{ price: { id: sub.price }, current_period_end: sub.current_period_end }] },
    };
  }

  function paidInvoice(sub) {
    const price = prices.get(sub.price);
    const charge = newCharge(price?.price_cents ?? 1000, price?.currency ?? "usd", { customer: sub.customer });
    return {
      id: rand("in"), object: "invoice", customer: sub.customer, subscription: sub.id, status: "paid",
      amount_paid: charge.amount, currency: charge.currency, payment_intent: charge.payment_intent, charge: charge.id,
      subscription_details: { metadata: sub.metadata },
      lines: { data: [{ price: { id: sub.price }, period: { end: sub.current_period_end } }] },
    };
  }

  /** Completes a checkout as the hosted page's Pay button does; `paymentStatus: "unpaid"` mimics async methods. */
  async function completeCheckout(sessionId, { paymentStatus = "paid" } = {}) {
    const session = state.sessions.get(sessionId);
    session.customer = customerFor(session);
    session.status = "complete";
    session.payment_status = paymentStatus;
    const results = [];
    if (session.mode === "payment") {
      const charge = newCharge(session.amount_total, session.currency, { customer: session.customer });
      session.payment_intent = charge.payment_intent;
      results.push(...await deliver(buildEvent("checkout.session.completed", session)));
    } else {
      const sub = {
        id: rand("sub"), customer: session.customer, status: "active", price: session.price, cancel_at_period_end: false,
        metadata: session.subscription_metadata, current_period_end: Math.floor(Date.now() / 1000) + 30 * 86400,
      };
      state.subscriptions.set(sub.id, sub);
      session.subscription = sub.id;
      results.push(...await deliver(buildEvent("customer.subscription.created", subscriptionObject(sub))));
      results.push(...await deliver(buildEvent("checkout.session.completed", session)));
      results.push(...await deliver(buildEvent("invoice.paid", paidInvoice(sub))));
    }
    return results;
  }

  const api = {
    prefix: "/stripe",
    state,
    buildEvent,
    deliver,
    completeCheckout,
    subscriptionObject: (id) => subscriptionObject(state.subscriptions.get(id)),
    async asyncPayment(sessionId, succeeded) {
      const session = state.sessions.get(sessionId);
      session.payment_status = succeeded ? "paid" : "unpaid";
      return deliver(buildEvent(`checkout.session.async_payment_${succeeded ? "succeeded" : "failed"}`, session));
    },
    /** A new billing period: the next invoice is paid. */
    async renew(subscriptionId) {
      const sub = state.subscriptions.get(subscriptionId);
      sub.current_period_end += 30 * 86400;
      const invoice = paidInvoice(sub);
      return { invoice, results: await deliver(buildEvent("invoice.paid", invoice)) };
    },
    async refund(paymentIntentId, amount) {
      const charge = state.charges.get(paymentIntentId);
      charge.amount_refunded = Math.min(charge.amount, charge.amount_refunded + (amount ?? charge.amount));
      charge.refunded = charge.amount_refunded === charge.amount;
      return deliver(buildEvent("charge.refunded", charge));
    },
    async dispute(paymentIntentId) {
      const charge = state.charges.get(paymentIntentId);
      return deliver(buildEvent("charge.dispute.created", { id: rand("dp"), object: "dispute", charge: charge.id, payment_intent: charge.payment_intent, amount: charge.amount, status: "needs_response" }));
    },
    async cancel(subscriptionId) {
      const sub = state.subscriptions.get(subscriptionId);
      sub.status = "canceled";
      return deliver(buildEvent("customer.subscription.deleted", subscriptionObject(sub)));
    },

    async handle(req, res, url, body) {
      const path = url.pathname.slice("/stripe".length);
      const form = new URLSearchParams(body.toString());
      if (path.startsWith("/v1/")) {
        if (req.headers.authorization !== `Bearer ${secretKey}`) return sendJson(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
        if (state.failNext) {
          const failure = state.failNext;
          state.failNext = null;
          if (failure === "error500") return sendJson(res, 500, { error: { type: "api_error", message: "Something went wrong on Stripe's end." } });
          return sendJson(res, 400, { error: { type: "invalid_request_error", message: "No such price." } });
        }
      }
      if (req.method === "POST" && path === "/v1/checkout/sessions") return createSession(req, res, form);
      if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
        const portal = { id: rand("bps"), object: "billing_portal.session", customer: form.get("customer"), return_url: form.get("return_url") };
        portal.url = `${baseUrl()}/stripe/portal/${portal.id}`;
        state.portalSessions.set(portal.id, portal);
        return sendJson(res, 200, portal);
      }
      let match = path.match(/^\/v1\/subscriptions\/([\w]+)$/);
      if (req.method === "DELETE" && match) {
        const sub = state.subscriptions.get(match[1]);
        if (!sub) return sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", message: "No such subscription." } });
        const wasLive = sub.status !== "canceled";
        sub.status = "canceled";
        state.cancelledSubscriptions = [...(state.cancelledSubscriptions ?? []), sub.id];
        sendJson(res, 200, subscriptionObject(sub));
        // Stripe tells the webhook afterwards, as it does in production.
        if (wasLive) setImmediate(() => deliver(buildEvent("customer.subscription.deleted", subscriptionObject(sub))).catch(() => {}));
        return;
      }
      match = path.match(/^\/checkout\/([\w]+)$/);
      if (req.method === "GET" && match && state.sessions.has(match[1])) return html(res, checkoutPage(state.sessions.get(match[1])));
      match = path.match(/^\/checkout\/([\w]+)\/pay$/);
      if (req.method === "POST" && match && state.sessions.has(match[1])) {
        const session = state.sessions.get(match[1]);
        if (session.status !== "complete") await completeCheckout(session.id);
        res.writeHead(303, { location: session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id) });
        return res.end();
      }
      match = path.match(/^\/portal\/([\w]+)$/);
      if (req.method === "GET" && match && state.portalSessions.has(match[1])) return html(res, portalPage(state.portalSessions.get(match[1])));
      match = path.match(/^\/portal\/([\w]+)\/cancel\/([\w]+)$/);
      if (req.method === "POST" && match && state.portalSessions.has(match[1])) {
        await api.cancel(match[2]);
        res.writeHead(303, { location: `${baseUrl()}/stripe/portal/${match[1]}` });
        return res.end();
      }
      sendJson(res, 404, { error: { message: "No such stand-in endpoint." } });
    },
  };

  function createSession(req, res, form) {
    const key = req.headers["idempotency-key"];
    const fingerprint = form.toString();
    if (key && state.idempotency.has(key)) {
      const earlier = state.idempotency.get(key);
      if (earlier.fingerprint !== fingerprint) return sendJson(res, 400, { error: { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters." } });
      return sendJson(res, 200, earlier.session);
    }
    const price = form.get("line_items[0][price]");
    const plan = prices.get(price);
    for (const required of ["mode", "success_url", "cancel_url"]) {
      if (!form.get(required)) return sendJson(res, 400, { error: { message: `Missing required param: ${required}.` } });
    }
    if (!plan) return sendJson(res, 400, { error: { message: `No such price: '${price}'` } });
    state.checkoutRequests.push({ idempotencyKey: key, form: Object.fromEntries(form) });
    const id = rand("cs");
    const session = {
      id, object: "checkout.session", mode: form.get("mode"), status: "open", payment_status: "unpaid",
      url: `${baseUrl()}/stripe/checkout/${id}`, success_url: form.get("success_url"), cancel_url: form.get("cancel_url"),
      client_reference_id: form.get("client_reference_id"), metadata: nested(form, "metadata"),
      customer: form.get("customer"), customer_email: form.get("customer_email"), amount_total: plan.price_cents,
      currency: plan.currency, payment_intent: null, subscription: null, price,
      subscription_metadata: nested(form, "subscription_data[metadata]"), product_name: plan.name,
    };
    state.sessions.set(id, session);
    if (key) state.idempotency.set(key, { fingerprint, session });
    sendJson(res, 200, session);
  }

  function html(res, body) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stripe (local stand-in)</title><style>body{font-family:system-ui,sans-serif;background:#f6f9fc;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;padding:2rem;max-width:26rem;width:calc(100% - 2rem);box-shadow:0 2px 8px #0002}
button{width:100%;padding:.8rem;border:0;border-radius:8px;background:#635bff;color:#fff;font-size:1rem;cursor:pointer;margin-top:1rem}
.amount{font-size:2rem;font-weight:700;margin:.5rem 0}p{color:#555}</style></head><body><main>${body}</main></body></html>`);
  }

  function checkoutPage(session) {
    const amount = (session.amount_total / 100).toFixed(2);
    const recurring = session.mode === "subscription" ? " per month" : "";
    return `<h1>Pay GPTImg</h1><p>${escapeHtml(session.product_name)}</p><p class="amount">${amount} ${escapeHtml(session.currency.toUpperCase())}${recurring}</p>
<p>Local stand-in for Stripe Checkout: no card is charged.</p>
<form method="post" action="/stripe/checkout/${session.id}/pay"><button type="submit">Pay</button></form>
<p><a href="${escapeHtml(session.cancel_url)}">Cancel and return</a></p>`;
  }

  function portalPage(portal) {
    const subs = [...state.subscriptions.values()].filter((s) => s.customer === portal.customer);
    const rows = subs.map((s) => `<li>${escapeHtml(prices.get(s.price)?.name ?? s.price)}: <strong>${escapeHtml(s.status)}</strong>${s.status === "canceled" ? "" :
      `<form method="post" action="/stripe/portal/${portal.id}/cancel/${s.id}"><button type="submit">Cancel subscription</button></form>`}</li>`).join("");
    return `<h1>Billing</h1><p>Local stand-in for the Stripe Billing Portal.</p><ul>${rows || "<li>No subscriptions.</li>"}</ul>
<p><a href="${escapeHtml(portal.return_url)}">Return to GPTImg</a></p>`;
  }

  return api;
}

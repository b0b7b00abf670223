// Stand-in for Stripe at the pinned API version: Checkout Sessions (recording what they were sent, with which
// Stripe-Version, honouring Idempotency-Key), a hosted checkout page whose Pay button sends the signed events Stripe
// would, a Billing Portal that can cancel, and functions tests call to send renewals, refunds, disputes, duplicates
// and hand-made events. Every object it emits comes from the type-checked builders.
import crypto from "node:crypto";
import { sendJson } from "./server.mjs";
import * as objects from "./stripe-objects.mjs";
import * as payments from "./stripe-payments.mjs";
import { API_VERSION } from "./stripe-objects.mjs";
import { EVENT_BUILDERS } from "./stripe-events.mjs";

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
 * `plans` is the Worker's PLANS JSON (so prices have amounts); `webhookUrl()` is where events go. Objects and
 * events come from the typed builders (stripe-objects.mjs, stripe-payments.mjs, stripe-events.mjs), so they have
 * exactly the shapes of the pinned API version.
 */
export function createStripe({ secretKey, webhookSecret, plans, baseUrl, webhookUrl }) {
  const started = Math.floor(Date.now() / 1000);
  const prices = new Map(JSON.parse(plans ?? "[]").map((p) => [p.stripe_price_id, {
    plan: p,
    price: objects.price({ id: p.stripe_price_id, product: `prod_${p.id}`, amount: p.price_cents, currency: p.currency, interval: p.interval ?? null, created: started - 86400 }),
  }]));
  const state = {
    checkoutRequests: [], apiRequests: [], sessions: new Map(), sessionExtras: new Map(), customers: new Map(),
    subscriptions: new Map(), charges: new Map(), invoices: new Map(), idempotency: new Map(), portalSessions: new Map(),
    sentEvents: [], failNext: null, disputes: new Map(), hanging: new Set(),
  };
  let lastCreated = 0;
  const now = () => Math.floor(Date.now() / 1000);

  /** An event of `type` around `object`: typed for every type GPTImg subscribes to, a bare envelope otherwise. */
  function buildEvent(type, object, created) {
    lastCreated = created ?? Math.max(now(), lastCreated + 1);
    const meta = { id: rand("evt"), created: lastCreated };
    const build = EVENT_BUILDERS[type] ?? ((o, m) => ({ id: m.id, object: "event", api_version: API_VERSION, created: m.created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object: o } }));
    return build(structuredClone(object), meta);
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

  /** A succeeded charge of a new PaymentIntent; refunds and disputes find it by that intent. */
  function newCharge(amount, currency, customer) {
    const record = { id: rand("ch"), amount, amountRefunded: 0, currency, customer, paymentIntent: rand("pi"), disputed: false, created: now() };
    state.charges.set(record.paymentIntent, record);
    return record;
  }

  const chargeObject = (record) => payments.charge(record);
  const subscriptionObject = (sub) => objects.subscription(sub);

  /**
   * An invoice of `sub` and its payments: `invoice.paid` and one `invoice_payment.paid` per payment to send. By
   * default the period's one line, paid by one new PaymentIntent; `lines` for prorations, `split` to pay it with
   * several PaymentIntents. The customer's credit balance (`customers[].balance`, negative) pays first, and a
   * negative total is credited to it, as Stripe does.
   */
  function paidInvoice(sub, billingReason, { lines, split } = {}) {
    const id = rand("in");
    sub.latestInvoice = id;
    const customer = state.customers.get(sub.customer) ?? { id: sub.customer, balance: 0 };
    state.customers.set(sub.customer, customer);
    const invoice = objects.invoice({
      id, lineId: rand("il"), customer: sub.customer, subscription: sub.id, subscriptionItem: sub.itemId,
      subscriptionMetadata: sub.metadata, price: sub.price, status: "paid", created: now(), periodStart: sub.periodStart,
      periodEnd: sub.periodEnd, billingReason, attempts: 1, startingBalance: customer.balance ?? 0,
      lines: lines?.map((line) => objects.invoiceLine({ id: rand("il"), invoice: id, subscription: sub.id, subscriptionItem: sub.itemId, ...line })),
    });
    customer.balance = invoice.ending_balance ?? 0;
    const parts = invoice.amount_paid === 0 ? [] : split ?? [invoice.amount_paid];
    const invoicePayments = parts.map((amount, index) => {
      const charge = newCharge(amount, sub.price.currency, sub.customer);
      return objects.invoicePayment({ id: rand("inpay"), invoice: id, paymentIntent: charge.paymentIntent, amount, currency: charge.currency, created: now(), isDefault: index === 0 });
    });
    state.invoices.set(id, { invoice, invoicePayments });
    return { invoice, invoicePayment: invoicePayments[0], invoicePayments, paymentIntent: invoicePayments[0]?.payment.payment_intent, paymentIntents: invoicePayments.map((p) => p.payment.payment_intent) };
  }

  /** Sends a paid invoice's `invoice.paid` and each of its `invoice_payment.paid`. */
  async function deliverInvoice(paid) {
    const results = await deliver(buildEvent("invoice.paid", paid.invoice));
    for (const payment of paid.invoicePayments) results.push(...await deliver(buildEvent("invoice_payment.paid", payment)));
    return results;
  }

  /** The share of `sub`'s current period still to come at `at` (seconds), as Stripe prorates by time. */
  const remaining = (sub, at) => (sub.periodEnd - at) / (sub.periodEnd - sub.periodStart);

  /** Completes a checkout as the hosted page's Pay button does; `paymentStatus: "unpaid"` mimics async methods. */
  async function completeCheckout(sessionId, { paymentStatus = "paid" } = {}) {
    const session = state.sessions.get(sessionId);
    const extras = state.sessionExtras.get(sessionId);
    Object.assign(session, { customer: customerFor(session), status: "complete", payment_status: paymentStatus, url: null });
    session.customer_details = { address: null, business_name: null, email: session.customer_email, individual_name: null, name: null, phone: null, tax_exempt: "none", tax_ids: [] };
    const results = [];
    if (session.mode === "payment") {
      session.payment_intent = newCharge(session.amount_total ?? 0, session.currency ?? "usd", session.customer).paymentIntent;
      results.push(...await deliver(buildEvent("checkout.session.completed", session)));
    } else {
      const start = now();
      const sub = {
        id: rand("sub"), itemId: rand("si"), customer: session.customer, status: "active", price: prices.get(extras.price).price,
        metadata: extras.subscriptionMetadata, created: start, periodStart: start, periodEnd: start + 30 * 86400,
        cancelAtPeriodEnd: false, canceledAt: null, latestInvoice: null,
      };
      state.subscriptions.set(sub.id, sub);
      const paid = paidInvoice(sub, "subscription_create");
      Object.assign(session, { subscription: sub.id, invoice: paid.invoice.id });
      results.push(...await deliver(buildEvent("customer.subscription.created", subscriptionObject(sub))));
      results.push(...await deliver(buildEvent("checkout.session.completed", session)));
      results.push(...await deliverInvoice(paid));
    }
    return results;
  }

  const api = {
    prefix: "/stripe",
    state,
    prices,
    buildEvent,
    deliver,
    completeCheckout,
    paidInvoice,
    deliverInvoice,
    subscriptionObject: (id) => subscriptionObject(state.subscriptions.get(id)),
    async asyncPayment(sessionId, succeeded) {
      const session = state.sessions.get(sessionId);
      session.payment_status = succeeded ? "paid" : "unpaid";
      return deliver(buildEvent(`checkout.session.async_payment_${succeeded ? "succeeded" : "failed"}`, session));
    },
    /**
     * A new billing period: the next invoice is paid (`invoice.paid`, then `invoice_payment.paid` unless
     * `link: false`); `split: [a, b]` pays it with several PaymentIntents (one `invoice_payment.paid` each).
     */
    async renew(subscriptionId, { link = true, split } = {}) {
      const sub = state.subscriptions.get(subscriptionId);
      sub.periodStart = sub.periodEnd;
      sub.periodEnd += 30 * 86400;
      const paid = paidInvoice(sub, "subscription_cycle", { split });
      const results = link ? await deliverInvoice(paid) : await deliver(buildEvent("invoice.paid", paid.invoice));
      return { ...paid, results };
    },
    /**
     * A plan change mid-period with prorations invoiced at once (the portal's "prorate, invoice immediately"):
     * `customer.subscription.updated` on the new price, then the `subscription_update` invoice of "unused time on
     * the old plan" and "remaining time on the new one", paid (a net credit goes to the customer's balance).
     * `at` is when, by default half-way through the period.
     */
    async changePlan(subscriptionId, priceId, { at } = {}) {
      const sub = state.subscriptions.get(subscriptionId);
      const when = at ?? Math.round((sub.periodStart + sub.periodEnd) / 2);
      const share = remaining(sub, when);
      const [oldPrice, newPrice] = [sub.price, prices.get(priceId).price];
      sub.price = newPrice;
      const results = await deliver(buildEvent("customer.subscription.updated", subscriptionObject(sub)));
      const lines = [
        { price: oldPrice, amount: -Math.round((oldPrice.unit_amount ?? 0) * share), proration: true, periodStart: when, periodEnd: sub.periodEnd },
        { price: newPrice, amount: Math.round((newPrice.unit_amount ?? 0) * share), proration: true, periodStart: when, periodEnd: sub.periodEnd },
      ];
      const paid = paidInvoice(sub, "subscription_update", { lines });
      results.push(...await deliverInvoice(paid));
      return { ...paid, results };
    },
    /**
     * Cancels at once with proration (the portal's "cancel immediately" with "prorate"): the unused time is
     * credited to the customer's balance by a final invoice of one negative proration line, paid by nothing.
     */
    async cancelNow(subscriptionId, { at } = {}) {
      const sub = state.subscriptions.get(subscriptionId);
      const when = at ?? Math.round(sub.periodStart + (sub.periodEnd - sub.periodStart) / 4);
      const lines = [{ price: sub.price, amount: -Math.round((sub.price.unit_amount ?? 0) * remaining(sub, when)), proration: true, periodStart: when, periodEnd: sub.periodEnd }];
      Object.assign(sub, { status: "canceled", canceledAt: when });
      const results = await deliver(buildEvent("customer.subscription.deleted", subscriptionObject(sub)));
      const paid = paidInvoice(sub, "subscription_update", { lines });
      results.push(...await deliverInvoice(paid));
      return { ...paid, results, balance: state.customers.get(sub.customer).balance };
    },
    /**
     * A new subscription for a customer who already has one (resubscribing after a cancellation): its first
     * invoice is paid from the customer's credit balance first, by card for the rest (if anything is left).
     */
    async subscribeAgain(customer, priceId, metadata) {
      const start = now();
      const sub = {
        id: rand("sub"), itemId: rand("si"), customer, status: "active", price: prices.get(priceId).price, metadata,
        created: start, periodStart: start, periodEnd: start + 30 * 86400, cancelAtPeriodEnd: false, canceledAt: null, latestInvoice: null,
      };
      state.subscriptions.set(sub.id, sub);
      const results = await deliver(buildEvent("customer.subscription.created", subscriptionObject(sub)));
      const paid = paidInvoice(sub, "subscription_create");
      results.push(...await deliverInvoice(paid));
      return { ...paid, sub, results };
    },
    async refund(paymentIntentId, amount) {
      const charge = state.charges.get(paymentIntentId);
      charge.amountRefunded = Math.min(charge.amount, charge.amountRefunded + (amount ?? charge.amount));
      return deliver(buildEvent("charge.refunded", chargeObject(charge)));
    },
    async dispute(paymentIntentId) {
      const charge = state.charges.get(paymentIntentId);
      charge.disputed = true;
      const dispute = payments.dispute({ id: rand("dp"), charge: charge.id, paymentIntent: charge.paymentIntent, amount: charge.amount, currency: charge.currency, status: "needs_response", created: now() });
      state.disputes.set(dispute.id, dispute);
      return deliver(buildEvent("charge.dispute.created", dispute));
    },
    /** Closes a dispute as Stripe does (`won` or `lost`), sending `charge.dispute.closed`. */
    async closeDispute(disputeId, status) {
      const dispute = state.disputes.get(disputeId);
      dispute.status = status;
      return deliver(buildEvent("charge.dispute.closed", dispute));
    },
    async cancel(subscriptionId) {
      const sub = state.subscriptions.get(subscriptionId);
      Object.assign(sub, { status: "canceled", canceledAt: now() });
      return deliver(buildEvent("customer.subscription.deleted", subscriptionObject(sub)));
    },

    async handle(req, res, url, body) {
      const path = url.pathname.slice("/stripe".length);
      const form = new URLSearchParams(body.toString());
      if (path.startsWith("/v1/")) {
        state.apiRequests.push({ method: req.method, path, stripeVersion: req.headers["stripe-version"] ?? null });
        if (req.headers.authorization !== `Bearer ${secretKey}`) return sendJson(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
        if (state.failNext) {
          const failure = state.failNext;
          state.failNext = null;
          // Never answers (the connection stays open until the stand-ins stop): for the Worker's call timeout.
          if (failure === "hang") return void state.hanging.add(res);
          if (failure === "error500") return sendJson(res, 500, { error: { type: "api_error", message: "Something went wrong on Stripe's end." } });
          // Stripe's rate limit: 429 with an error of code `rate_limit` (docs.stripe.com/rate-limits).
          if (failure === "error429") return sendJson(res, 429, { error: { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." } });
          return sendJson(res, 400, { error: { type: "invalid_request_error", message: "No such price." } });
        }
      }
      if (req.method === "POST" && path === "/v1/checkout/sessions") return createSession(req, res, form);
      if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
        const id = rand("bps");
        const portal = payments.portalSession({ id, customer: form.get("customer"), returnUrl: form.get("return_url"), url: `${baseUrl()}/stripe/portal/${id}`, created: now() });
        state.portalSessions.set(portal.id, portal);
        return sendJson(res, 200, portal);
      }
      let match = path.match(/^\/v1\/subscriptions\/([\w]+)$/);
      if (req.method === "DELETE" && match) {
        const sub = state.subscriptions.get(match[1]);
        if (!sub) return sendJson(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", message: "No such subscription." } });
        const wasLive = sub.status !== "canceled";
        Object.assign(sub, { status: "canceled", canceledAt: now() });
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
    const plan = prices.get(price)?.plan;
    for (const required of ["mode", "success_url", "cancel_url"]) {
      if (!form.get(required)) return sendJson(res, 400, { error: { type: "invalid_request_error", code: "parameter_missing", message: `Missing required param: ${required}.` } });
    }
    if (!plan) return sendJson(res, 400, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such price: '${price}'` } });
    state.checkoutRequests.push({ idempotencyKey: key, requestId: req.headers["x-request-id"] ?? null, stripeVersion: req.headers["stripe-version"] ?? null, form: Object.fromEntries(form) });
    const id = rand("cs");
    const mode = form.get("mode") === "subscription" ? "subscription" : "payment";
    const session = payments.checkoutSession({
      id, mode, status: "open", paymentStatus: "unpaid", url: `${baseUrl()}/stripe/checkout/${id}`,
      successUrl: form.get("success_url"), cancelUrl: form.get("cancel_url"), clientReferenceId: form.get("client_reference_id"),
      metadata: nested(form, "metadata"), customer: form.get("customer"), customerEmail: form.get("customer_email"),
      amount: plan.price_cents, currency: plan.currency, paymentIntent: null, subscription: null, invoice: null, created: now(),
    });
    state.sessionExtras.set(id, { price, subscriptionMetadata: nested(form, "subscription_data[metadata]"), productName: plan.name });
    state.sessions.set(id, session);
    // Stripe saves the first answer's status and body for the key and replays exactly that, not the session as it
    // is now (docs.stripe.com/api/idempotent_requests).
    if (key) state.idempotency.set(key, { fingerprint, session: structuredClone(session) });
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
    return `<h1>Pay GPTImg</h1><p>${escapeHtml(state.sessionExtras.get(session.id).productName)}</p><p class="amount">${amount} ${escapeHtml(session.currency.toUpperCase())}${recurring}</p>
<p>Local stand-in for Stripe Checkout: no card is charged.</p>
<form method="post" action="/stripe/checkout/${session.id}/pay"><button type="submit">Pay</button></form>
<p><a href="${escapeHtml(session.cancel_url)}">Cancel and return</a></p>`;
  }

  function portalPage(portal) {
    const subs = [...state.subscriptions.values()].filter((s) => s.customer === portal.customer);
    const rows = subs.map((s) => `<li>${escapeHtml(prices.get(s.price.id)?.plan.name ?? s.price.id)}: <strong>${escapeHtml(s.status)}</strong>${s.status === "canceled" ? "" :
      `<form method="post" action="/stripe/portal/${portal.id}/cancel/${s.id}"><button type="submit">Cancel subscription</button></form>`}</li>`).join("");
    return `<h1>Billing</h1><p>Local stand-in for the Stripe Billing Portal.</p><ul>${rows || "<li>No subscriptions.</li>"}</ul>
<p><a href="${escapeHtml(portal.return_url)}">Return to GPTImg</a></p>`;
  }

  return api;
}

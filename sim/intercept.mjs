//! Catches the Stripe stand-in's webhook posts at this process's `fetch` (the stand-ins run in-process) and hands
// them to the delivery scheduler instead, answering the stand-in at once as Stripe's queue would. Everything else,
// and the scheduler's own deliveries (made with the original `fetch`), passes through untouched.
import { signPayload } from "../tests/support/fakes/stripe.mjs";

const originalFetch = globalThis.fetch;

/** Installs the catch for `webhookUrl`; returns `{ send, uninstall }`, `send` being a signed real delivery. */
export function interceptStripe({ webhookUrl, secret, receive }) {
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input?.url ?? String(input);
    if (url === webhookUrl && init?.method === "POST") {
      receive(JSON.parse(init.body));
      return new Response(JSON.stringify({ received: true, held_by: "simulator" }), { status: 200, headers: { "content-type": "application/json" } });
    }
    return originalFetch(input, init);
  };
  /** One delivery attempt, signed now (Stripe signs every attempt afresh). */
  const send = async (event) => {
    const payload = JSON.stringify(event);
    const response = await originalFetch(webhookUrl, {
      method: "POST", headers: { "content-type": "application/json", "stripe-signature": signPayload(payload, secret) }, body: payload,
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
  return { send, uninstall: () => { globalThis.fetch = originalFetch; } };
}

export { originalFetch };

// Stripe Checkout from our pages: opening it for a plan (remembering the balance it started from, in this tab),
// and, back from a paid one, telling whether the credits have already landed or waiting briefly for them.
import { api } from "./common.js";

const STARTED_KEY = "gptimg.checkout-started";
const POLL_MS = 1000;
const POLLS = 15;

/** Creates the Checkout Session and goes there; throws the API's error when it cannot start. */
export async function openCheckout(planId, { returnTo, balance } = {}) {
  const { url } = await api.post("/api/billing/checkout", { plan: planId, ...(returnTo ? { return_to: returnTo } : {}) });
  try {
    sessionStorage.setItem(STARTED_KEY, JSON.stringify({ balance }));
  } catch {
    // Without storage the return page simply waits for a change, as before.
  }
  location.assign(url);
}

/** The balance when the last checkout of this tab started, read once. */
function balanceBeforeCheckout() {
  try {
    const started = JSON.parse(sessionStorage.getItem(STARTED_KEY) ?? "null");
    sessionStorage.removeItem(STARTED_KEY);
    return Number.isFinite(started?.balance) ? started.balance : null;
  } catch {
    return null;
  }
}

/** Forgets the checkout this tab started (it was cancelled). */
export const forgetCheckout = () => { balanceBeforeCheckout(); };

/**
 * Back from a paid checkout with `account` as the page loaded it. `confirmed` is the account when its credits
 * have already grown past the balance the checkout started from (the webhook landed first); otherwise `later`
 * resolves with the account once the balance changes, or null if it has not within 15 s.
 */
export function paymentLanded(account, reread) {
  const before = balanceBeforeCheckout();
  if (before !== null && account.credits > before) return { confirmed: account, later: Promise.resolve(account) };
  const baseline = before ?? account.credits;
  const later = (async () => {
    for (let attempt = 0; attempt < POLLS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const now = await reread().catch(() => null);
      if (now && now.credits !== baseline) return now;
    }
    return null;
  })();
  return { confirmed: null, later };
}

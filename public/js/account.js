// The account page: profile, credits and billing, transaction history, support messages, API keys, export and deletion.
import { $, api, credits, day, element, money, onBalance, onSubmit, renderAccountNav, revealLinkedHeading, say, signInHref, startPage } from "./common.js";
import { showApiKeys } from "./api-keys.js";
import { forgetCheckout, openCheckout, paymentLanded } from "./checkout.js";

function showProfile(account) {
  $("account-card").hidden = false;
  $("account-email").textContent = account.email;
  $("account-credits").textContent = String(account.credits);
  $("account-since").textContent = day(account.created_at);
  $("name-input").value = account.name;
  onSubmit($("name-form"), $("name-message"), "Saving…", async () => {
    const updated = await api.request("/api/me", { method: "PATCH", body: { name: $("name-input").value } });
    $("name-input").value = updated.name;
    renderAccountNav(updated);
    return "Saved.";
  });
}

async function redirectTo(path, body, button) {
  button.disabled = true;
  say($("billing-message"), "");
  try {
    location.assign((await api.post(path, body)).url);
  } catch (error) {
    say($("billing-message"), error.message, "bad");
    button.disabled = false;
  }
}

/** Starts Checkout for `plan` (its button disabled meanwhile); an error is said in `where` (by default under the
 * plans, by the button pressed) and the button is usable again. */
async function checkoutFor(plan, button, { account, returnTo }, where = $("billing-message")) {
  button.disabled = true;
  say($("billing-message"), "");
  try {
    await openCheckout(plan.id, { returnTo, balance: account.credits });
  } catch (error) {
    say($("checkout-message"), "");
    say(where, `Could not open checkout for ${plan.name}: ${error.message} You can try again with its button below.`, "bad");
    button.disabled = false;
  }
}

function showNewBalance(account) {
  $("account-credits").textContent = String(account.credits);
  renderAccountNav(account);
  say($("checkout-message"), `Payment confirmed — you now have ${credits(account.credits)}.`, "ok");
  showLedger();
}

/** Back from a paid checkout: the new balance if it is already there, else a note until it is. */
async function showPayment(account) {
  const { confirmed, later } = paymentLanded(account, () => api.me());
  if (confirmed) { say($("checkout-message"), `Payment confirmed — you now have ${credits(account.credits)}.`, "ok"); return; }
  say($("checkout-message"), "Payment received — thank you! Your balance updates as soon as Stripe confirms it.", "ok");
  const landed = await later;
  if (landed) showNewBalance(landed);
}

/** Arriving with ?plan= (a plan's Buy or Subscribe elsewhere, maybe through sign-in): that plan's checkout at once.
 * The plan is taken off the address first, so coming Back from Stripe does not open it again. */
function startChosenPlan(plans, buttons, context) {
  const params = new URLSearchParams(location.search);
  const wanted = params.get("plan");
  if (!wanted) return;
  params.delete("plan");
  const rest = params.toString();
  history.replaceState(null, "", `/account${rest ? `?${rest}` : ""}${location.hash}`);
  const plan = plans.find((p) => p.id === wanted);
  const button = buttons.get(wanted);
  if (!plan) {
    say($("billing-message"), "That plan is no longer offered; choose one below.", "bad");
  } else if (!button) {
    say($("billing-message"), `You already have a subscription, so ${plan.name} cannot be added; manage it with Manage billing.`, "bad");
  } else {
    // No button was pressed: the outcome is said where "Opening…" was, at the top of the card.
    say($("checkout-message"), `Opening checkout for ${plan.name}…`);
    checkoutFor(plan, button, context, $("checkout-message"));
  }
}

async function showBilling(account) {
  $("billing-card").hidden = false;
  const checkout = new URLSearchParams(location.search).get("checkout");
  if (checkout === "success") {
    showPayment(account);
  } else if (checkout === "cancelled") {
    forgetCheckout();
    say($("checkout-message"), "Checkout cancelled — nothing was charged.");
  }
  const sub = account.subscription;
  const live = Boolean(sub?.is_live);
  $("subscription-status").textContent = !sub ? "No subscription." :
    `${sub.plan_name ?? sub.plan_id}: ${sub.status.replace("_", " ")}` +
    (sub.current_period_end && live ? `${sub.cancel_at_period_end ? ", ends" : ", renews"} ${day(sub.current_period_end)}` : "");
  const manage = $("manage-billing");
  manage.hidden = !account.has_billing_account;
  manage.onclick = () => redirectTo("/api/billing/portal", undefined, manage);
  // Arriving from the studio's "Buy credits" link: Stripe brings the buyer back there (the server allows only
  // known pages, so anything else is simply not passed on).
  const backToStudio = new URLSearchParams(location.search).get("return_to") === "/app";
  if (backToStudio) say($("checkout-message"), "After paying you will go straight back to the studio.");
  const { plans } = await api.get("/api/plans");
  const context = { account, returnTo: backToStudio ? "/app" : undefined };
  const buttons = new Map();
  $("plan-list").replaceChildren(...plans.filter((plan) => plan.kind === "pack" || !live).map((plan) => {
    const button = element("button", { class: "button", type: "button" }, plan.kind === "subscription" ? "Subscribe" : "Buy");
    buttons.set(plan.id, button);
    button.addEventListener("click", () => checkoutFor(plan, button, context));
    return element("div", { class: "plan" },
      element("strong", {}, plan.name),
      plan.kind === "subscription" ? element("span", { class: "muted" }, `${plan.credits} credits every ${plan.interval}`) : "",
      element("span", { class: "price" }, money(plan.price_cents, plan.currency) + (plan.interval ? ` / ${plan.interval}` : "")),
      button);
  }));
  startChosenPlan(plans, buttons, context);
}

async function showLedger(cursor) {
  const page = await api.get(`/api/credits/ledger?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  $("history-card").hidden = false;
  const rows = page.entries.map((entry) => element("tr", {},
    element("td", { class: "date" }, day(entry.created_at)),
    element("td", {}, entry.description),
    element("td", { class: `num ${entry.amount < 0 ? "bad" : "ok"}` }, (entry.amount > 0 ? "+" : "") + entry.amount),
    element("td", { class: "num" }, String(entry.balance_after))));
  if (cursor) $("ledger-rows").append(...rows); else $("ledger-rows").replaceChildren(...rows);
  $("ledger-more").hidden = !page.next_cursor;
  $("ledger-more").onclick = () => showLedger(page.next_cursor);
}

async function showSupport() {
  const { messages } = await api.get("/api/support");
  $("support-card").hidden = false;
  $("support-list").replaceChildren(...(messages.length ? messages.map((m) => element("article", { class: "message" },
    element("strong", {}, m.subject), element("span", { class: "muted" }, ` · ${m.status} · ${day(m.created_at)}`),
    element("p", {}, m.message),
    ...m.replies.map((r) => element("p", { class: "reply" }, element("strong", {}, "GPTImg support: "), r.body)))) : [element("p", { class: "muted" }, "No messages yet.")]));
}

/** What deleting the account costs in credits, for the balance `/api/me` gives (negative while in debt). */
function forfeitText(balance) {
  if (balance > 0) return `You have ${credits(balance)}; deleting the account forfeits ${balance === 1 ? "it" : "them"}.`;
  if (balance === 0) return "You have no credits, so deleting the account forfeits none.";
  return `Your balance is −${credits(-balance)} (owed after a refund or dispute); deleting the account forfeits no credits.`;
}

function wireDeletion(account) {
  $("privacy-card").hidden = false;
  const showForfeit = (balance) => { $("delete-credits").textContent = forfeitText(balance); };
  showForfeit(account.credits);
  onBalance(showForfeit);
  const input = $("delete-confirm");
  const button = $("delete-button");
  input.addEventListener("input", () => { button.disabled = input.value !== "DELETE"; });
  $("delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value !== "DELETE") return;
    button.disabled = true;
    say($("delete-message"), "Deleting your account…");
    try {
      const answer = await api.request("/api/me", { method: "DELETE", body: { confirm: "DELETE" } });
      location.assign(answer?.status === "deletion_pending" ? "/?deleted=pending" : "/?deleted=1");
    } catch (error) {
      say($("delete-message"), error.message, "bad");
      button.disabled = false;
    }
  });
}

const account = await startPage();
if (!account) {
  location.assign(signInHref("/account"));
} else {
  showProfile(account);
  wireDeletion(account);
  await Promise.all([showBilling(account), showLedger(), showSupport(), showApiKeys()]).catch((error) => say($("billing-message"), error.message, "bad"));
  revealLinkedHeading();
}

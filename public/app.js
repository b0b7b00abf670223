// GPTImg pages: the account header on every page, the service status on the landing page,
// and the account card on /app. Plain JS, same-origin only (the CSP allows nothing else).
"use strict";

const api = {
  /** The signed-in account, or null. */
  async me() {
    const response = await fetch("/api/session", { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(await errorMessage(response));
    return (await response.json()).account;
  },
  async rename(name) {
    const response = await fetch("/api/me", {
      method: "PATCH",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ name }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.json();
  },
  async logout() {
    await fetch("/auth/logout", { method: "POST" });
  },
  async get(path) {
    const response = await fetch(path, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.json();
  },
  async post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.json();
  },
};

const money = (cents, currency) => new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.error?.message ?? `Request failed (${response.status})`;
  } catch {
    return `Request failed (${response.status})`;
  }
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function signInHref() {
  const here = location.pathname === "/" ? "/app" : location.pathname + location.search;
  return `/auth/google/start?return_to=${encodeURIComponent(here)}`;
}

function avatar(account) {
  const initials = account.name.split(/\s+/).map((part) => part[0]).join("").slice(0, 2).toUpperCase();
  const fallback = element("span", { class: "avatar avatar-initials", "aria-hidden": "true" }, initials);
  if (!account.avatar_url) return fallback;
  const image = element("img", { class: "avatar", src: account.avatar_url, alt: "", width: "32", height: "32" });
  image.addEventListener("error", () => image.replaceWith(fallback));
  return image;
}

function credits(account) {
  return element("span", { class: "credits", id: "credit-balance", title: "Your credit balance" },
    `${account.credits} credit${account.credits === 1 ? "" : "s"}`);
}

function renderAccountNav(nav, account) {
  nav.replaceChildren();
  if (!account) {
    nav.append(element("a", { class: "button", href: signInHref() }, "Sign in with Google"));
    return;
  }
  const signOut = element("button", { class: "button-quiet", type: "button" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    await api.logout();
    location.assign("/");
  });
  nav.append(
    element("a", { class: "account-link", href: "/app" }, avatar(account), element("span", { class: "account-name" }, account.name)),
    credits(account),
    signOut,
  );
}

async function showServiceStatus() {
  const status = document.getElementById("service-status");
  if (!status) return;
  try {
    const response = await fetch("/healthz", { headers: { accept: "application/json" } });
    const health = await response.json();
    status.textContent = health.ok ? "All systems working" : "Service is having trouble — please try again soon";
    status.classList.add(health.ok ? "ok" : "bad");
  } catch {
    status.textContent = "Cannot reach the service — check your connection";
    status.classList.add("bad");
  }
}

function showAccountCard(account) {
  const card = document.getElementById("account-card");
  if (!card) return;
  if (!account) {
    location.assign(signInHref());
    return;
  }
  card.hidden = false;
  document.getElementById("account-email").textContent = account.email;
  document.getElementById("account-credits").textContent = String(account.credits);
  document.getElementById("account-since").textContent = new Date(account.created_at).toLocaleDateString();
  const form = document.getElementById("name-form");
  const input = document.getElementById("name-input");
  const message = document.getElementById("name-message");
  input.value = account.name;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    message.className = "form-message";
    message.textContent = "Saving…";
    try {
      const updated = await api.rename(input.value);
      input.value = updated.name;
      message.textContent = "Saved.";
      message.classList.add("ok");
      renderAccountNav(document.getElementById("account-nav"), updated);
    } catch (error) {
      message.textContent = error.message;
      message.classList.add("bad");
    } finally {
      button.disabled = false;
    }
  });
}

async function showBilling(account) {
  const card = document.getElementById("billing-card");
  if (!card || !account) return;
  card.hidden = false;
  const message = document.getElementById("billing-message");
  const params = new URLSearchParams(location.search);
  const checkout = document.getElementById("checkout-message");
  if (params.get("checkout") === "success") {
    checkout.textContent = "Payment received — thank you! Your balance updates as soon as Stripe confirms it.";
    checkout.className = "form-message ok";
    waitForCredits(account.credits);
  } else if (params.get("checkout") === "cancelled") {
    checkout.textContent = "Checkout cancelled — nothing was charged.";
  }
  const sub = account.subscription;
  const live = sub && ["active", "trialing", "past_due", "unpaid"].includes(sub.status);
  document.getElementById("subscription-status").textContent = !sub ? "No subscription." :
    `${sub.plan_name ?? sub.plan_id}: ${sub.status.replace("_", " ")}` +
    (sub.current_period_end && live ? `${sub.cancel_at_period_end ? ", ends" : ", renews"} ${new Date(sub.current_period_end).toLocaleDateString()}` : "");
  const manage = document.getElementById("manage-billing");
  manage.hidden = !account.has_billing_account;
  manage.onclick = () => redirectTo("/api/billing/portal", undefined, manage, message);
  const { plans } = await api.get("/api/plans");
  const list = document.getElementById("plan-list");
  list.replaceChildren(...plans.filter((plan) => plan.kind === "pack" || !live).map((plan) => {
    const button = element("button", { class: "button", type: "button" }, plan.kind === "subscription" ? "Subscribe" : "Buy");
    button.addEventListener("click", () => redirectTo("/api/billing/checkout", { plan: plan.id }, button, message));
    const price = money(plan.price_cents, plan.currency) + (plan.interval ? ` / ${plan.interval}` : "");
    return element("div", { class: "plan" },
      element("strong", {}, plan.name),
      plan.kind === "subscription" ? element("span", { class: "muted" }, `${plan.credits} credits every ${plan.interval}`) : "",
      element("span", { class: "price" }, price), button);
  }));
  showLedger();
}

async function redirectTo(path, body, button, message) {
  button.disabled = true;
  message.textContent = "";
  try {
    const { url } = await api.post(path, body);
    location.assign(url);
  } catch (error) {
    message.textContent = error.message;
    message.className = "form-message bad";
    button.disabled = false;
  }
}

/** After checkout the webhook may land a moment later: poll briefly for the new balance. */
async function waitForCredits(before) {
  for (let attempt = 0; attempt < 15; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const account = await api.me().catch(() => null);
    if (account && account.credits !== before) {
      document.getElementById("account-credits").textContent = String(account.credits);
      renderAccountNav(document.getElementById("account-nav"), account);
      document.getElementById("checkout-message").textContent = "Payment confirmed — your new credits are ready.";
      showLedger();
      return;
    }
  }
}

async function showLedger(cursor) {
  const card = document.getElementById("history-card");
  const rows = document.getElementById("ledger-rows");
  const more = document.getElementById("ledger-more");
  const page = await api.get(`/api/credits/ledger?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  card.hidden = false;
  const lines = page.entries.map((entry) => element("tr", {},
    element("td", { class: "date" }, new Date(entry.created_at).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" })),
    element("td", {}, entry.description),
    element("td", { class: `num ${entry.amount < 0 ? "bad" : "ok"}` }, (entry.amount > 0 ? "+" : "") + entry.amount),
    element("td", { class: "num" }, String(entry.balance_after))));
  if (cursor) rows.append(...lines); else rows.replaceChildren(...lines);
  more.hidden = !page.next_cursor;
  more.onclick = () => showLedger(page.next_cursor);
}

/** First sign-in (or new terms): nothing else works until the terms are accepted and the age confirmed. */
function askForConsent(account) {
  return new Promise((resolve) => {
    const terms = element("input", { type: "checkbox", id: "consent-terms" });
    const age = element("input", { type: "checkbox", id: "consent-age" });
    const message = element("p", { class: "form-message", role: "alert" });
    const accept = element("button", { class: "button", type: "submit", disabled: "" }, "Continue");
    const signOut = element("button", { class: "button-quiet", type: "button" }, "Sign out");
    const update = () => { accept.disabled = !(terms.checked && age.checked); };
    terms.addEventListener("change", update);
    age.addEventListener("change", update);
    signOut.addEventListener("click", async () => { await api.logout(); location.assign("/"); });
    const termsLabel = element("label", { for: "consent-terms" }, "I accept the ",
      element("a", { href: "/terms", target: "_blank" }, "Terms of Service"), " and have read the ",
      element("a", { href: "/privacy", target: "_blank" }, "Privacy Policy"), ".");
    const ageLabel = element("label", { for: "consent-age" }, "I am old enough to use GPTImg without a parent's consent where I live.");
    const form = element("form", { method: "dialog" },
      element("h2", { id: "consent-heading" }, `Welcome, ${account.name}`),
      element("p", { class: "muted" }, "Before you start, please confirm two things."),
      element("div", { class: "check" }, terms, termsLabel),
      element("div", { class: "check" }, age, ageLabel),
      message,
      element("div", { class: "row" }, accept, signOut));
    const dialog = element("dialog", { class: "consent", "aria-labelledby": "consent-heading" }, form);
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      accept.disabled = true;
      try {
        await api.post("/api/me/consent", { terms_version: account.terms_version, age_confirmed: true });
        dialog.close();
        dialog.remove();
        resolve();
      } catch (error) {
        message.textContent = error.message;
        message.className = "form-message bad";
        update();
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

async function main() {
  showServiceStatus();
  const nav = document.getElementById("account-nav");
  let account = null;
  try {
    account = await api.me();
  } catch (error) {
    if (nav) nav.replaceChildren(element("span", { class: "bad" }, "Account unavailable"));
    return;
  }
  if (nav) renderAccountNav(nav, account);
  if (account?.consent_required) {
    await askForConsent(account);
    account = await api.me();
  }
  for (const cta of document.querySelectorAll("[data-sign-in-cta]")) {
    cta.setAttribute("href", account ? "/app" : signInHref());
    cta.textContent = account ? "Open your studio" : "Sign in with Google to start";
  }
  showAccountCard(account);
  showBilling(account).catch((error) => {
    const message = document.getElementById("billing-message");
    if (message) message.textContent = error.message;
  });
}

main();

// Shared by every page: the JSON API client, DOM helpers, the account header, the consent dialog, the footer.
export const api = {
  async request(path, { method = "GET", body, raw } = {}) {
    const headers = { accept: "application/json" };
    if (body !== undefined && !raw) headers["content-type"] = "application/json";
    const response = await fetch(path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error?.message ?? `Something went wrong (${response.status}).`);
      error.code = data.error?.code;
      error.status = response.status;
      error.details = data.error?.details;
      // A 429 says when to come back: the Retry-After header, or the body's retry_after_seconds.
      const retry = Number(response.headers.get("retry-after") ?? data.error?.retry_after_seconds);
      if (Number.isFinite(retry) && retry > 0) error.retryAfter = retry;
      throw error;
    }
    return data;
  },
  get: (path) => api.request(path),
  post: (path, body) => api.request(path, { method: "POST", body }),
  /** The signed-in account, or null. */
  async me() {
    return (await api.get("/api/session")).account;
  },
};

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export const $ = (id) => document.getElementById(id);

export function say(target, text, tone = "") {
  target.textContent = text;
  target.className = `form-message ${tone}`;
}

/** Sends a form with `action` on submit: its button disabled meanwhile, `pending` and then what `action` returns
 * (or its error) said in `message`. */
export function onSubmit(form, message, pending, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    say(message, pending);
    try {
      say(message, await action(), "ok");
    } catch (error) {
      say(message, error.message, "bad");
    } finally {
      button.disabled = false;
    }
  });
}

/** A prompt cut to `max` characters for labels and announcements. */
export const short = (prompt, max = 40) => (prompt.length > max ? `${prompt.slice(0, max)}…` : prompt);
export const money = (cents, currency) => new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
export const day = (ms) => new Date(ms).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
export const credits = (n) => `${n} credit${n === 1 ? "" : "s"}`;

export function signInHref(target) {
  const here = target ?? (location.pathname === "/" ? "/app" : location.pathname + location.search);
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

// An outline "leave" arrow for the phone's icon-only Sign out (its name stays "Sign out").
const SIGN_OUT_ICON = '<svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"/><path d="M16 17l5-5-5-5"/><path d="M21 12H9"/></svg>';

/** Where the header's balance badge leads: the account page's plans and packs (the one place checkout lives). */
export const PLANS_HREF = "/account#billing-heading";

export function renderAccountNav(account) {
  const nav = $("account-nav");
  if (!nav) return;
  nav.replaceChildren();
  if (!account) {
    nav.append(element("a", { class: "button", href: signInHref() }, "Sign in with Google"));
    return;
  }
  const signOut = element("button", { class: "button-quiet sign-out", type: "button", "aria-label": "Sign out" },
    document.createRange().createContextualFragment(SIGN_OUT_ICON), element("span", { class: "sign-out-label" }, "Sign out"));
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    await api.post("/auth/logout").catch(() => null);
    location.assign("/");
  });
  const here = (path) => (location.pathname === path ? "page" : undefined);
  nav.append(
    element("a", { class: "nav-link nav-studio", href: "/app", "aria-current": here("/app") }, "Studio"),
    element("a", { class: "account-link", href: "/account", "aria-label": `Account of ${account.name}`, title: account.name, "aria-current": here("/account") },
      avatar(account), element("span", { class: "account-label" }, "Account")),
    element("a", { class: "credits credits-link", href: PLANS_HREF },
      element("span", { id: "credit-balance", "data-balance": "" }, credits(account.credits)),
      element("span", { class: "credits-plus", "aria-hidden": "true" }, "+"),
      element("span", { class: "credits-buy" }, "Buy credits")),
    signOut,
  );
}

/** Pages whose sections appear once loaded call this afterwards, so a link to one of their headings (the
 * header badge's `#billing-heading`) still lands there. */
export function revealLinkedHeading() {
  const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (!target || target.closest("[hidden]")) return;
  target.scrollIntoView({ block: "start" });
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
}

/** One consent statement: the whole row is its label, so the box and every word of the text toggle it. */
function consentRow(id, ...text) {
  const box = element("input", { type: "checkbox", id, class: "check-box" });
  return { box, row: element("label", { class: "check check-row", for: id }, box, element("span", {}, ...text)) };
}

/** First sign-in (or new terms): nothing else works until the terms are accepted and the age confirmed. */
function askForConsent(account) {
  return new Promise((resolve) => {
    const terms = consentRow("consent-terms", "I accept the ",
      element("a", { href: "/terms", target: "_blank" }, "Terms of Service"), " and have read the ",
      element("a", { href: "/privacy", target: "_blank" }, "Privacy Policy"), ".");
    const age = consentRow("consent-age", "I am old enough to use GPTImg without a parent's consent where I live.");
    const message = element("p", { class: "form-message", role: "alert" });
    const accept = element("button", { class: "button", type: "submit", disabled: true }, "Continue");
    const update = () => { accept.disabled = !(terms.box.checked && age.box.checked); };
    terms.box.addEventListener("change", update);
    age.box.addEventListener("change", update);
    const signOut = element("button", { class: "button-quiet", type: "button", onclick: async () => { await api.post("/auth/logout").catch(() => null); location.assign("/"); } }, "Sign out");
    const form = element("form", { method: "dialog" },
      element("h2", { id: "consent-heading" }, `Welcome, ${account.name}`),
      element("p", { class: "muted" }, "Before you start, please confirm two things."),
      terms.row,
      age.row,
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
        say(message, error.message, "bad");
        update();
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Loads the account, renders the header and, when needed, asks for consent first. */
export async function startPage() {
  let account = null;
  try {
    account = await api.me();
  } catch {
    $("account-nav")?.replaceChildren(element("span", { class: "bad" }, "Account unavailable"));
    return null;
  }
  renderAccountNav(account);
  if (account?.consent_required) {
    await askForConsent(account);
    account = await api.me();
    renderAccountNav(account);
  }
  if (account) setBalance(account.credits);
  return account;
}

// The credit balance: one number for the whole page. Every element marked `data-balance` (the header badge, the
// studio's cost line) shows it, and it changes only here: on a debit (the admission's answer) and after a refund
// or purchase (re-read from the server).
let balanceNow = null;
const balanceWatchers = new Set();

export const currentBalance = () => balanceNow;

export function setBalance(balance) {
  balanceNow = balance;
  for (const node of document.querySelectorAll("[data-balance]")) node.textContent = credits(balance);
  for (const watcher of balanceWatchers) watcher(balance);
}

export const onBalance = (watcher) => balanceWatchers.add(watcher);

/** Re-reads the balance from the server (after a refund or a payment); returns the account. */
export async function refreshBalance() {
  const account = await api.me();
  if (account) setBalance(account.credits);
  return account;
}


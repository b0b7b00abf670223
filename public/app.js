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
};

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
  for (const cta of document.querySelectorAll("[data-sign-in-cta]")) {
    cta.setAttribute("href", account ? "/app" : signInHref());
    cta.textContent = account ? "Open your studio" : "Sign in with Google to start";
  }
  showAccountCard(account);
}

main();

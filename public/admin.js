// GPTImg admin console: support inbox, user lookup and credit adjustments, Stripe events needing attention,
// failed generations, audit log.
"use strict";

const $ = (id) => document.getElementById(id);

async function call(path, method = "GET", body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message ?? `Request failed (${response.status})`);
  return data;
}

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

function say(text, ok = true) {
  $("admin-message").textContent = text;
  $("admin-message").className = `form-message ${ok ? "ok" : "bad"}`;
}

const when = (ms) => (ms ? new Date(ms).toLocaleString() : "—");

async function loadInbox() {
  const status = $("inbox-status").value;
  const { messages } = await call(`/api/admin/support${status ? `?status=${status}` : ""}`);
  $("inbox").replaceChildren(...(messages.length ? messages.map((m) => {
    const reply = node("textarea", { rows: "3", "aria-label": `Reply to ${m.subject}` });
    const send = node("button", { class: "button", type: "button" }, "Reply");
    send.addEventListener("click", async () => {
      try {
        await call(`/api/admin/support/${m.id}/reply`, "POST", { body: reply.value });
        say("Reply sent.");
        loadInbox();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    const close = node("button", { class: "button-quiet", type: "button" }, "Close");
    close.addEventListener("click", async () => {
      try {
        await call(`/api/admin/support/${m.id}/status`, "POST", { status: "closed" });
        loadInbox();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    return node("article", { class: "plan" },
      node("strong", {}, m.subject), node("span", { class: "muted" }, `${m.email} · ${m.status} · ${when(m.created_at)}`),
      node("p", {}, m.message),
      ...m.replies.map((r) => node("p", { class: "muted" }, `Reply (${when(r.created_at)}): ${r.body}`)),
      reply, node("div", { class: "row" }, send, close));
  }) : [node("p", { class: "muted" }, "No messages.")]));
}

async function searchUsers(event) {
  event.preventDefault();
  try {
    const { users } = await call(`/api/admin/users?q=${encodeURIComponent($("user-query").value)}`);
    $("users").replaceChildren(...(users.length ? users.map((u) => {
      const amount = node("input", { type: "number", step: "1", "aria-label": `Credit change for ${u.email}`, placeholder: "± credits" });
      const reason = node("input", { "aria-label": `Reason for ${u.email}`, placeholder: "Reason" });
      const apply = node("button", { class: "button", type: "button" }, "Adjust credits");
      const balance = node("span", {}, `${u.credits} credits`);
      apply.addEventListener("click", async () => {
        try {
          const result = await call(`/api/admin/users/${u.id}/credits`, "POST", { amount: Number(amount.value), reason: reason.value });
          balance.textContent = `${result.credits} credits`;
          say("Credits adjusted.");
          loadAudit();
        } catch (error) { say(error.message, false); }
      });
      return node("article", { class: "plan" }, node("strong", {}, `${u.name} <${u.email}>`),
        node("span", { class: "muted" }, `${u.id} · since ${when(u.created_at)}`), balance, node("div", { class: "row" }, amount, reason, apply));
    }) : [node("p", { class: "muted" }, "No matching users.")]));
  } catch (error) { say(error.message, false); }
}

async function loadProblems() {
  const { problems } = await call(`/api/admin/billing/problems?status=${$("problems-status").value}`);
  $("problems").replaceChildren(...(problems.length ? problems.map((p) => {
    // Amounts are in the currency's smallest unit, as Stripe sends them.
    const shown = (key, value) => (key.startsWith("amount") ? `${(value / 100).toFixed(2)} (${value})` : value);
    const facts = Object.entries(p.facts ?? {}).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${shown(k, v)}`).join(" · ");
    const state = p.resolved_at ? `${p.resolution} ${when(p.resolved_at)}` : "open";
    const article = node("article", { class: "plan" },
      node("strong", {}, `${p.reason.replaceAll("_", " ")} — ${p.event_type}`),
      node("span", { class: "muted" }, `${p.event_id} · ${state} · delivered ${p.deliveries}× · last ${when(p.last_seen_at)}`),
      node("p", {}, facts), node("p", { class: "muted" }, p.advice ?? ""));
    if (!p.resolved_at) {
      const reason = node("input", { "aria-label": `Why dismiss ${p.event_id}`, placeholder: "Why (e.g. refunded in Stripe)" });
      const dismiss = node("button", { class: "button-quiet", type: "button" }, "Dismiss");
      dismiss.addEventListener("click", async () => {
        try {
          await call(`/api/admin/billing/problems/${p.event_id}/dismiss`, "POST", { reason: reason.value });
          say("Dismissed: Stripe's next retry of this event is acknowledged.");
          loadProblems();
          loadAudit();
        } catch (error) { say(error.message, false); }
      });
      article.append(node("div", { class: "row" }, reason, dismiss));
    }
    return article;
  }) : [node("p", { class: "muted" }, "Nothing needs attention.")]));
}

async function loadFailed() {
  const { generations } = await call("/api/admin/generations/failed");
  $("failed").replaceChildren(...(generations.length ? generations.map((g) =>
    node("p", {}, `${when(g.finished_at)} · ${g.model_id} · ${g.failure_code} · ${g.id} (account ${g.account_id})`)) : [node("p", { class: "muted" }, "None.")]));
}

async function loadDeletions() {
  const { deletions } = await call("/api/admin/deletions/stuck");
  $("deletions").replaceChildren(...(deletions.length ? deletions.map((d) => {
    const retry = node("button", { class: "button-quiet", type: "button" }, "Try again");
    retry.addEventListener("click", async () => {
      try {
        await call(`/api/admin/deletions/${d.id}/retry`, "POST");
        say("The next cron run (within a minute) tries this deletion again.");
        loadDeletions();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    const subscriptions = d.live_subscriptions.length ? `subscriptions ${d.live_subscriptions.join(", ")}` : "no live subscription";
    return node("article", { class: "plan" },
      node("strong", {}, `${d.problem ? d.problem.replaceAll("_", " ") : "failing"} — ${d.id}`),
      node("span", { class: "muted" }, `started ${when(d.deletion_started_at)} · ${d.deletion_attempts} failed attempts · ${subscriptions}`),
      node("div", { class: "row" }, retry));
  }) : [node("p", { class: "muted" }, "None.")]));
}

async function loadAudit() {
  const { entries } = await call("/api/admin/audit");
  $("audit").replaceChildren(...(entries.length ? entries.map((e) =>
    node("p", {}, `${when(e.created_at)} · ${e.action} · ${e.target_id} · ${e.details}`)) : [node("p", { class: "muted" }, "No actions yet.")]));
}

$("inbox-status").addEventListener("change", loadInbox);
$("problems-status").addEventListener("change", () => loadProblems().catch((error) => say(error.message, false)));
$("user-search").addEventListener("submit", searchUsers);
Promise.all([loadInbox(), loadProblems(), loadFailed(), loadDeletions(), loadAudit()]).catch((error) => say(error.message, false));

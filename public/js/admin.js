// GPTImg admin console: support inbox, user lookup and credit adjustments, Stripe events needing attention,
// failed generations, audit log; the Dashboard section is admin-dashboard.js, the featured images admin-featured.js. API client and DOM helpers come from
// common.js like every other page.
import { api, $, element, say as sayIn } from "./common.js";
import "./admin-dashboard.js";
import { loadFeatured } from "./admin-featured.js";

const say = (text, ok = true) => sayIn($("admin-message"), text, ok ? "ok" : "bad");

const when = (ms) => (ms ? new Date(ms).toLocaleString() : "—");

async function loadInbox() {
  const status = $("inbox-status").value;
  const { messages } = await api.get(`/api/admin/support${status ? `?status=${status}` : ""}`);
  $("inbox").replaceChildren(...(messages.length ? messages.map((m) => {
    const reply = element("textarea", { rows: "3", "aria-label": `Reply to ${m.subject}` });
    const send = element("button", { class: "button", type: "button" }, "Reply");
    send.addEventListener("click", async () => {
      try {
        await api.post(`/api/admin/support/${m.id}/reply`, { body: reply.value });
        say("Reply sent.");
        loadInbox();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    const close = element("button", { class: "button-quiet", type: "button" }, "Close");
    close.addEventListener("click", async () => {
      try {
        await api.post(`/api/admin/support/${m.id}/status`, { status: "closed" });
        loadInbox();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    return element("article", { class: "plan" },
      element("strong", {}, m.subject), element("span", { class: "muted" }, `${m.email} · ${m.status} · ${when(m.created_at)}`),
      element("p", {}, m.message),
      ...m.replies.map((r) => element("p", { class: "muted" }, `Reply (${when(r.created_at)}): ${r.body}`)),
      reply, element("div", { class: "row" }, send, close));
  }) : [element("p", { class: "muted" }, "No messages.")]));
}

async function searchUsers(event) {
  event.preventDefault();
  try {
    const { users } = await api.get(`/api/admin/users?q=${encodeURIComponent($("user-query").value)}`);
    $("users").replaceChildren(...(users.length ? users.map((u) => {
      const amount = element("input", { type: "number", step: "1", "aria-label": `Credit change for ${u.email}`, placeholder: "± credits" });
      const reason = element("input", { "aria-label": `Reason for ${u.email}`, placeholder: "Reason" });
      const apply = element("button", { class: "button", type: "button" }, "Adjust credits");
      const balance = element("span", {}, `${u.credits} credits`);
      apply.addEventListener("click", async () => {
        try {
          const result = await api.post(`/api/admin/users/${u.id}/credits`, { amount: Number(amount.value), reason: reason.value });
          balance.textContent = `${result.credits} credits`;
          say("Credits adjusted.");
          loadAudit();
        } catch (error) { say(error.message, false); }
      });
      return element("article", { class: "plan" }, element("strong", {}, `${u.name} <${u.email}>`),
        element("span", { class: "muted" }, `${u.id} · since ${when(u.created_at)}`), balance, element("div", { class: "row" }, amount, reason, apply));
    }) : [element("p", { class: "muted" }, "No matching users.")]));
  } catch (error) { say(error.message, false); }
}

async function loadProblems() {
  const { problems } = await api.get(`/api/admin/billing/problems?status=${$("problems-status").value}`);
  $("problems").replaceChildren(...(problems.length ? problems.map((p) => {
    // Amounts are in the currency's smallest unit, as Stripe sends them.
    const shown = (key, value) => (key.startsWith("amount") ? `${(value / 100).toFixed(2)} (${value})` : value);
    const facts = Object.entries(p.facts ?? {}).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${shown(k, v)}`).join(" · ");
    const state = p.resolved_at ? `${p.resolution} ${when(p.resolved_at)}` : "open";
    const article = element("article", { class: "plan" },
      element("strong", {}, `${p.reason.replaceAll("_", " ")} — ${p.event_type}`),
      element("span", { class: "muted" }, `${p.event_id} · ${state} · delivered ${p.deliveries}× · last ${when(p.last_seen_at)}`),
      element("p", {}, facts), element("p", { class: "muted" }, p.advice ?? ""));
    if (!p.resolved_at) {
      const reason = element("input", { "aria-label": `Why dismiss ${p.event_id}`, placeholder: "Why (e.g. refunded in Stripe)" });
      const dismiss = element("button", { class: "button-quiet", type: "button" }, "Dismiss");
      dismiss.addEventListener("click", async () => {
        try {
          await api.post(`/api/admin/billing/problems/${p.event_id}/dismiss`, { reason: reason.value });
          say("Dismissed: Stripe's next retry of this event is acknowledged.");
          loadProblems();
          loadAudit();
        } catch (error) { say(error.message, false); }
      });
      article.append(element("div", { class: "row" }, reason, dismiss));
    }
    return article;
  }) : [element("p", { class: "muted" }, "Nothing needs attention.")]));
}

async function loadFailed() {
  const { generations } = await api.get("/api/admin/generations/failed");
  $("failed").replaceChildren(...(generations.length ? generations.map((g) =>
    element("p", {}, `${when(g.finished_at)} · ${g.model_id} · ${g.failure_code} · ${g.id} (account ${g.account_id})`)) : [element("p", { class: "muted" }, "None.")]));
}

async function loadDeletions() {
  const { deletions } = await api.get("/api/admin/deletions/stuck");
  $("deletions").replaceChildren(...(deletions.length ? deletions.map((d) => {
    const retry = element("button", { class: "button-quiet", type: "button" }, "Try again");
    retry.addEventListener("click", async () => {
      try {
        await api.post(`/api/admin/deletions/${d.id}/retry`);
        say("The next cron run (within a minute) tries this deletion again.");
        loadDeletions();
        loadAudit();
      } catch (error) { say(error.message, false); }
    });
    const subscriptions = d.live_subscriptions.length ? `subscriptions ${d.live_subscriptions.join(", ")}` : "no live subscription";
    return element("article", { class: "plan" },
      element("strong", {}, `${d.problem ? d.problem.replaceAll("_", " ") : "failing"} — ${d.id}`),
      element("span", { class: "muted" }, `started ${when(d.deletion_started_at)} · ${d.deletion_attempts} failed attempts · ${subscriptions}`),
      element("div", { class: "row" }, retry));
  }) : [element("p", { class: "muted" }, "None.")]));
}

async function loadAudit() {
  const { entries } = await api.get("/api/admin/audit");
  $("audit").replaceChildren(...(entries.length ? entries.map((e) =>
    element("p", {}, `${when(e.created_at)} · ${e.action} · ${e.target_id} · ${e.details}`)) : [element("p", { class: "muted" }, "No actions yet.")]));
}

$("inbox-status").addEventListener("change", loadInbox);
$("problems-status").addEventListener("change", () => loadProblems().catch((error) => say(error.message, false)));
$("user-search").addEventListener("submit", searchUsers);
Promise.all([loadInbox(), loadProblems(), loadFailed(), loadDeletions(), loadAudit(), loadFeatured()]).catch((error) => say(error.message, false));

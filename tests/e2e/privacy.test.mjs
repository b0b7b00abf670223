// End-to-end: the privacy policy's promises — consent gate, export, deletion, retention — plus support and admin.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useWorker, ROOT } from "../support/worker.mjs";
import { signIn, asUser, acceptTerms, count, setCookies } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { buy, balance, profile } from "../support/billing-flow.mjs";
import { generate, settled, upload, r2Keys } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const worker = useWorker({ before, after });

const newUser = (options = {}) => newPerson(worker, { label: "person", ...options });

const json = (worker, session, method, path, body, extra = {}) => worker.fetch(path, {
  method, headers: asUser(worker, session, { "content-type": "application/json", ...extra }), body: body === undefined ? undefined : JSON.stringify(body),
});

async function sendSupport(session, body) {
  const headers = session ? asUser(worker, session, { "content-type": "application/json" }) : { origin: worker.url, "content-type": "application/json" };
  const response = await worker.fetch("/api/support", { method: "POST", headers, body: JSON.stringify(body) });
  return { response, body: await response.json() };
}

/** A user with something in every data category: purchases, a subscription, an upload, a generation, support. */
async function richUser() {
  const user = await newUser();
  await buy(worker, user.session, "pack_100");
  await buy(worker, user.session, "pro_monthly");
  const uploaded = await upload(worker, user.session, encodePng(32, 32, () => [10, 200, 30]));
  const prompt = `A secret garden for ${user.name}`;
  const { body } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [uploaded.body.id] });
  await settled(worker, user.session, body.id);
  const supportText = `My private problem number ${user.n}`;
  await sendSupport(user.session, { subject: `Help ${user.name}`, message: supportText });
  return { ...user, prompt, supportText, uploadId: uploaded.body.id, generationId: body.id };
}

describe("terms and age consent", () => {
  test("nothing but the profile, consent, support, export and deletion works until the terms are accepted", async () => {
    const user = await newUser({ consent: false });
    const me = await profile(worker, user.session);
    assert.equal(me.consent_required, true);
    for (const [method, path, body] of [["POST", "/api/generations", { prompt: "x", model: "nano-banana-2", aspect_ratio: "1:1" }], ["POST", "/api/billing/checkout", { plan: "pack_100" }], ["GET", "/api/credits/ledger"], ["GET", "/api/generations"]]) {
      const response = await json(worker, user.session, method, path, body);
      assert.equal(response.status, 403, path);
      assert.equal((await response.json()).error.code, "consent_required");
    }
    assert.equal((await json(worker, user.session, "GET", "/api/me/export")).status, 200);
    for (const [body, code] of [[{ terms_version: "2020-01-01", age_confirmed: true }, "terms_version_outdated"], [{ terms_version: "2026-04-22", age_confirmed: false }, "age_not_confirmed"]]) {
      const response = await json(worker, user.session, "POST", "/api/me/consent", body);
      assert.equal(response.status, 422);
      assert.equal((await response.json()).error.code, code);
    }
    assert.equal((await profile(worker, user.session)).consent_required, true, "refused consent records nothing");
    await acceptTerms(worker, user.session);
    const row = await worker.db.prepare("SELECT terms_version, terms_accepted_at, age_confirmed_at FROM accounts WHERE id = ?").bind(user.id).first();
    assert.equal(row.terms_version, "2026-04-22");
    assert.ok(row.terms_accepted_at > Date.now() - 60_000 && row.age_confirmed_at === row.terms_accepted_at);
    assert.equal((await json(worker, user.session, "GET", "/api/credits/ledger")).status, 200);
  });
});

describe("access: the export", () => {
  test("contains every data category the privacy policy lists, and no secrets", async () => {
    const user = await richUser();
    assert.equal((await json(worker, user.session, "PUT", `/api/generations/${user.generationId}/favourite`)).status, 200);
    const response = await json(worker, user.session, "GET", "/api/me/export");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-disposition"), /attachment; filename="gptimg-export.json"/);
    const { data } = await response.json();
    // 1. Account details: name, email, profile image.
    assert.equal(data.account[0].email, user.email);
    assert.equal(data.account[0].name, user.name);
    assert.match(data.account[0].picture_url, /\/google\/avatar\//);
    assert.equal(data.account[0].terms_version, "2026-04-22");
    // 2. Prompts, reference image URLs, generated image records, generation metadata.
    const generation = data.generations.find((g) => g.id === user.generationId);
    assert.equal(generation.prompt, user.prompt);
    assert.deepEqual(generation.reference_upload_ids, [user.uploadId]);
    assert.deepEqual([generation.reference_image_ids, typeof generation.batch_id, generation.favourite], [[], "string", 1], "issue 16's columns too (the favourite mark as well)");
    assert.match(generation.images[0].url, /\/images\/img_/);
    assert.equal(generation.model_id, "seedream-v4.5");
    assert.equal(data.uploads[0].id, user.uploadId);
    assert.match(data.uploads[0].sha256, /^[0-9a-f]{64}$/);
    // 3. Credit balances, subscription status, Stripe customer and payment ids, transaction history.
    assert.equal(typeof data.account[0].credits, "number");
    assert.equal(data.subscriptions[0].status, "active");
    assert.match(data.account[0].stripe_customer_id, /^cus_/);
    assert.ok(data.payments.some((p) => /^pi_/.test(p.stripe_payment_intent_id)));
    assert.deepEqual(new Set(data.credit_ledger.map((e) => e.kind)), new Set(["signup_grant", "pack_purchase", "subscription_credits", "generation_debit"]));
    // 4. Support messages.
    assert.equal(data.support_messages[0].message, user.supportText);
    // Sessions are listed without their tokens.
    assert.ok(data.sessions.length >= 1);
    const text = JSON.stringify(data);
    assert.ok(!text.includes("token_hash") && !text.includes(user.session));
  });
});

describe("deletion", () => {
  async function everyRow() {
    const { results: tables } = await worker.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'").all();
    const rows = {};
    for (const { name } of tables) rows[name] = (await worker.db.prepare(`SELECT * FROM "${name}"`).all()).results;
    return rows;
  }

  test("erases every trace of the person in D1 and R2, cancels Stripe, keeps anonymous billing records, and allows a fresh sign-up", async () => {
    const user = await richUser();
    const subscription = (await worker.db.prepare("SELECT id FROM subscriptions WHERE account_id = ?").bind(user.id).first()).id;
    assert.ok((await r2Keys(worker, `uploads/${user.id}/`)).length > 0);

    const wrong = await json(worker, user.session, "DELETE", "/api/me", { confirm: "yes" });
    assert.equal(wrong.status, 422);
    assert.equal((await json(worker, user.session, "DELETE", "/api/me", { confirm: "DELETE" }, { origin: "https://evil.example" })).status, 403);
    assert.equal((await profile(worker, user.session)).email, user.email, "refused deletions change nothing");

    const response = await json(worker, user.session, "DELETE", "/api/me", { confirm: "DELETE" });
    assert.equal(response.status, 204);
    assert.equal(setCookies(response).get("gptimg_session").value, "");
    assert.equal((await json(worker, user.session, "GET", "/api/me")).status, 401, "every session is gone");
    assert.equal((await json(worker, user.session, "DELETE", "/api/me", { confirm: "DELETE" })).status, 401, "running it again is harmless");

    const dump = JSON.stringify(await everyRow());
    for (const secret of [user.email, user.name, user.prompt, user.supportText, `Help ${user.name}`]) {
      assert.ok(!dump.includes(secret), `no table may still contain ${secret}`);
    }
    const listing = await worker.bucket.list();
    assert.deepEqual(listing.objects.filter((o) => o.key.includes(user.id)).map((o) => o.key), [], "no R2 object of the user remains");
    assert.ok(worker.fakes.stripe.state.cancelledSubscriptions.includes(subscription), "the Stripe subscription was cancelled");

    const kept = await worker.db.prepare("SELECT COUNT(*) AS n FROM payments WHERE account_id = ?").bind(user.id).first("n");
    assert.ok(kept >= 2, "billing records are kept under the anonymous id");
    const tombstone = await worker.db.prepare("SELECT email, name, picture_url, credits, deleted_at FROM accounts WHERE id = ?").bind(user.id).first();
    assert.deepEqual({ ...tombstone, deleted_at: tombstone.deleted_at > 0 }, { email: "", name: "Deleted account", picture_url: null, credits: 0, deleted_at: true });

    const again = await signIn(worker, { email: user.email, name: user.name, consent: false });
    const fresh = await profile(worker, again.session);
    assert.notEqual(fresh.id, user.id);
    assert.equal(fresh.credits, 0, "signup credits go to a Google account once, for ever (holes-accounts.test.mjs)");
    assert.equal(fresh.consent_required, true);
  });

  test("an interrupted deletion erases and signs out at once, and the cron finishes it", async () => {
    const user = await richUser();
    worker.fakes.stripe.state.failNext = "error500";
    const interrupted = await json(worker, user.session, "DELETE", "/api/me", { confirm: "DELETE" });
    assert.equal(interrupted.status, 202);
    assert.equal((await interrupted.json()).status, "deletion_pending");
    assert.equal(setCookies(interrupted).get("gptimg_session").value, "");
    const halfway = await worker.db.prepare("SELECT email, deleted_at FROM accounts WHERE id = ?").bind(user.id).first();
    assert.deepEqual(halfway, { email: "", deleted_at: null }, "personal data is erased first");
    assert.equal((await json(worker, user.session, "DELETE", "/api/me", { confirm: "DELETE" })).status, 401, "the session ended with the first batch");
    await worker.db.prepare("UPDATE accounts SET deletion_started_at = ?, deletion_retry_at = ? WHERE id = ?").bind(Date.now() - 120_000, Date.now() - 1000, user.id).run();
    await worker.runCron();
    assert.ok((await worker.db.prepare("SELECT deleted_at FROM accounts WHERE id = ?").bind(user.id).first("deleted_at")) > 0);
    assert.equal(await count(worker.db, "sessions", "account_id = ?", user.id), 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
  });
});

describe("retention", () => {
  test("the cron purges dead sessions and never-used uploads, and keeps what is in use", async () => {
    const user = await newUser();
    const old = Date.now() - 40 * 86400_000;
    const unused = await upload(worker, user.session, encodePng(20, 20, () => [1, 2, 3]));
    const used = await upload(worker, user.session, encodePng(24, 24, () => [4, 5, 6]));
    await buy(worker, user.session, "pack_100");
    const { body } = await generate(worker, user.session, { prompt: "keep my reference", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [used.body.id] });
    await settled(worker, user.session, body.id);
    await worker.db.prepare("UPDATE uploads SET created_at = ? WHERE account_id = ?").bind(old, user.id).run();
    const stale = await signIn(worker, { email: user.email, name: user.name });
    await worker.db.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash != (SELECT token_hash FROM sessions WHERE account_id = ? ORDER BY created_at LIMIT 1) AND account_id = ?").bind(old, user.id, user.id).run();
    await worker.runCron();
    assert.deepEqual((await worker.db.prepare("SELECT id FROM uploads WHERE account_id = ?").bind(user.id).all()).results.map((r) => r.id), [used.body.id]);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/${unused.body.id}`), []);
    assert.equal((await r2Keys(worker, `uploads/${user.id}/${used.body.id}`)).length, 1);
    assert.equal(await count(worker.db, "sessions", "account_id = ?", user.id), 1);
    assert.equal((await json(worker, user.session, "GET", "/api/me")).status, 200, "the live session survives");
    assert.equal((await json(worker, stale.session, "GET", "/api/me")).status, 401);
  });
});

describe("support", () => {
  test("anonymous messages need an email; signed-in ones use the account's; limits and bounds are enforced", async () => {
    const anonymous = await sendSupport(null, { email: "visitor@example.com", subject: "Question", message: "Do you offer refunds?" });
    assert.equal(anonymous.response.status, 201);
    assert.equal(anonymous.body.email, "visitor@example.com");
    const noEmail = await sendSupport(null, { subject: "Question", message: "Hi" });
    assert.equal(noEmail.response.status, 422);
    assert.equal(noEmail.body.error.code, "email_required");
    for (const [body, code] of [[{ email: "a@b.co", subject: "s".repeat(201), message: "m" }, "subject_too_long"], [{ email: "a@b.co", subject: "s", message: "m".repeat(5001) }, "message_too_long"]]) {
      const result = await sendSupport(null, body);
      assert.equal(result.response.status, 422);
      assert.equal(result.body.error.code, code);
    }
    const user = await newUser();
    const mine = await sendSupport(user.session, { subject: "Billing", message: "Where is my invoice?" });
    assert.equal(mine.body.email, user.email);
    for (let i = 0; i < 4; i++) assert.equal((await sendSupport(user.session, { subject: `More ${i}`, message: "again" })).response.status, 201);
    const limited = await sendSupport(user.session, { subject: "Sixth", message: "too many" });
    assert.equal(limited.response.status, 429);
    assert.ok(Number(limited.response.headers.get("retry-after")) > 0);
    const crossSite = await worker.fetch("/api/support", { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: JSON.stringify({ email: "x@y.co", subject: "s", message: "m" }) });
    assert.equal(crossSite.status, 403);
    assert.equal(await count(worker.db, "support_messages", "email = ?", "x@y.co"), 0);
  });
});

describe("the admin console", () => {
  let admin;
  before(async () => {
    const flow = await signIn(worker, { email: "admin@gptimg.test", name: "The Admin" });
    admin = { session: flow.session, id: (await profile(worker, flow.session)).id };
  });

  test("non-admins and strangers get 404 on every admin path", async () => {
    const user = await newUser();
    const paths = [["GET", "/api/admin/support"], ["GET", "/api/admin/users?q=person"], ["POST", `/api/admin/users/${user.id}/credits`], ["GET", "/api/admin/audit"], ["GET", "/api/admin/generations/failed"], ["GET", "/api/admin/deletions/stuck"], ["POST", `/api/admin/deletions/${user.id}/retry`], ["POST", "/api/admin/support/sup_x/reply"], ["GET", "/admin"], ["GET", "/admin-console.html"], ["GET", "/admin-console"]];
    for (const [method, path] of paths) {
      const asUserResponse = await json(worker, user.session, method, path, method === "POST" ? { amount: 5, reason: "x" } : undefined);
      assert.equal(asUserResponse.status, 404, `${method} ${path} as a user`);
      const anonymous = await worker.fetch(path, { method, headers: { origin: worker.url } });
      assert.equal(anonymous.status, 404, `${method} ${path} anonymously`);
    }
    assert.equal(await balance(worker, user.session), 10);
  });

  test("a wrong method on an admin path is a 404 route_not_found for non-admins, and a 405 with Allow only for admins", async () => {
    const user = await newUser();
    for (const [method, path, allow] of [["DELETE", "/api/admin/support", "GET"], ["GET", `/api/admin/users/${user.id}/credits`, "POST"], ["PUT", "/api/admin/audit", "GET"]]) {
      const asUserResponse = await json(worker, user.session, method, path);
      assert.equal(asUserResponse.status, 404, `${method} ${path} as a user`);
      assert.equal(asUserResponse.headers.get("allow"), null);
      assert.equal((await asUserResponse.json()).error.code, "route_not_found");
      const anonymous = await worker.fetch(path, { method, headers: { origin: worker.url } });
      assert.equal(anonymous.status, 404, `${method} ${path} anonymously`);
      assert.equal((await anonymous.json()).error.code, "route_not_found");
      const asAdmin = await json(worker, admin.session, method, path);
      assert.equal(asAdmin.status, 405, `${method} ${path} as the admin`);
      assert.equal(asAdmin.headers.get("allow"), allow);
      assert.equal((await asAdmin.json()).error.code, "method_not_allowed");
    }
    const unknown = await json(worker, admin.session, "GET", "/api/admin/nope");
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, "route_not_found");
  });

  test("the admin answers support, the user sees the reply, and every action is audited", async () => {
    const user = await newUser();
    const sent = await sendSupport(user.session, { subject: "Lost image", message: "My image vanished" });
    const inbox = await (await json(worker, admin.session, "GET", "/api/admin/support?status=open")).json();
    assert.ok(inbox.messages.some((m) => m.id === sent.body.id));
    const reply = await json(worker, admin.session, "POST", `/api/admin/support/${sent.body.id}/reply`, { body: "Found it, restored." });
    assert.equal(reply.status, 200);
    const mine = await (await json(worker, user.session, "GET", "/api/support")).json();
    const message = mine.messages.find((m) => m.id === sent.body.id);
    assert.equal(message.status, "answered");
    assert.equal(message.replies[0].body, "Found it, restored.");
    const closed = await json(worker, admin.session, "POST", `/api/admin/support/${sent.body.id}/status`, { status: "closed" });
    assert.equal(closed.status, 200);
    assert.equal((await json(worker, admin.session, "POST", "/api/admin/support/sup_nope/reply", { body: "x" })).status, 404);
    const audit = await (await json(worker, admin.session, "GET", "/api/admin/audit")).json();
    const actions = audit.entries.filter((e) => e.target_id === sent.body.id).map((e) => e.action).sort();
    assert.deepEqual(actions, ["support_reply", "support_status"]);
    assert.ok(audit.entries.every((e) => e.admin_account_id === admin.id));
  });

  test("user lookup, credit adjustment with a reason (a ledger entry, never below zero), failed generations", async () => {
    const user = await newUser();
    const found = await (await json(worker, admin.session, "GET", `/api/admin/users?q=${encodeURIComponent(user.email)}`)).json();
    assert.deepEqual(found.users.map((u) => u.id), [user.id]);
    const added = await json(worker, admin.session, "POST", `/api/admin/users/${user.id}/credits`, { amount: 50, reason: "Goodwill for outage" });
    assert.equal(added.status, 200);
    assert.equal((await added.json()).credits, 60);
    assert.equal(await balance(worker, user.session), 60);
    const entry = await worker.db.prepare("SELECT amount, balance_after, description FROM credit_ledger WHERE account_id = ? AND kind = 'admin_adjustment'").bind(user.id).first();
    // The admin's free text is kept in the audit log, never in the user's own ledger.
    assert.deepEqual(entry, { amount: 50, balance_after: 60, description: "Adjusted by support" });
    const logged = await worker.db.prepare("SELECT details FROM audit_log WHERE target_id = ? AND action = 'credit_adjustment'").bind(user.id).first();
    assert.deepEqual(JSON.parse(logged.details), { amount: 50, reason: "Goodwill for outage" });
    const ledger = await (await worker.fetch("/api/credits/ledger", { headers: asUser(worker, user.session) })).text();
    assert.ok(ledger.includes("Adjusted by support"), ledger);
    assert.ok(!ledger.includes("Goodwill"), ledger);
    const tooMuch = await json(worker, admin.session, "POST", `/api/admin/users/${user.id}/credits`, { amount: -1000, reason: "typo" });
    assert.equal(tooMuch.status, 422);
    assert.equal((await json(worker, admin.session, "POST", `/api/admin/users/${user.id}/credits`, { amount: 0, reason: "x" })).status, 422);
    assert.equal(await balance(worker, user.session), 60);
    const audit = await (await json(worker, admin.session, "GET", "/api/admin/audit")).json();
    assert.equal(audit.entries.filter((e) => e.target_id === user.id && e.action === "credit_adjustment").length, 1);

    const { body } = await generate(worker, user.session, { prompt: "break [apipod:fail]", model: "nano-banana-2", aspect_ratio: "1:1" });
    await settled(worker, user.session, body.id);
    const failed = await (await json(worker, admin.session, "GET", "/api/admin/generations/failed")).json();
    assert.ok(failed.generations.some((g) => g.id === body.id && g.failure_code === "provider_failed"));
    const page = await worker.fetch("/admin", { headers: asUser(worker, admin.session) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Admin console/);
  });
});

describe("no third parties", () => {
  test("no page or script references another origin", () => {
    // site/ is what wrangler serves: public/ plus the pages rendered into their layout.
    const site = path.join(ROOT, "site");
    const files = fs.readdirSync(site, { recursive: true }).filter((f) => fs.statSync(path.join(site, f)).isFile());
    assert.ok(files.length > 10);
    for (const file of files) {
      const text = fs.readFileSync(path.join(site, file), "utf8");
      assert.doesNotMatch(text, /(src|href|action)\s*=\s*["']?(https?:)?\/\//i, `${file} references another origin`);
      assert.doesNotMatch(text, /fetch\(\s*["'`]https?:/i, `${file} calls another origin`);
    }
  });
});

describe("the published policy", () => {
  test("/privacy shows the full policy with its date and the configured support address", async () => {
    const response = await worker.fetch("/privacy");
    assert.equal(response.status, 200);
    const page = await response.text();
    const policy = fs.readFileSync(path.join(ROOT, "docs", "privacy-policy.txt"), "utf8");
    for (const heading of policy.split("\n").filter((line) => /^\d+\. /.test(line))) assert.ok(page.includes(heading.trim()), heading);
    assert.match(page, /Last updated: April 22, 2026/);
    assert.match(page, /<a href="mailto:support@gptimg.test">support@gptimg.test<\/a>/);
    assert.doesNotMatch(page, /email.protected|\{\{/);
    const terms = await (await worker.fetch("/terms")).text();
    assert.match(terms, /mailto:support@gptimg.test/);
    assert.match(terms, /old enough/);
  });
});

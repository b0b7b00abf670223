// End-to-end: personal API keys (issue 17) — create (shown once), use, revoke, hash-only storage, keys refused on
// session-only endpoints, no origin check for key requests, per-key and per-account rate limits, keys die with
// the account.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { waitFor } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });

const sessionJson = (session, method, path, body, extra = {}) => worker.fetch(path, {
  method, headers: asUser(worker, session, { "content-type": "application/json", ...extra }), body: body === undefined ? undefined : JSON.stringify(body),
});

/** A key request: no cookie, no Origin — what a script sends. */
const keyJson = (key, method, path, body, extra = {}) => worker.fetch(path, {
  method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...extra },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function createKey(session, name = "CI") {
  const response = await sessionJson(session, "POST", "/api/keys", { name });
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  return body;
}

const listKeys = async (session) => (await sessionJson(session, "GET", "/api/keys")).json();

async function expectError(response, status, code) {
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body;
}

/** Waits, if needed, until the current one-minute window has at least `secs` left, so a burst stays in one window. */
async function freshWindow(secs = 20) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < secs * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe("key lifecycle", () => {
  test("a key is shown once, works on the API, appears in the list without its secret, and is refused at once when revoked", async () => {
    const user = await newPerson(worker, { label: "keyowner", pack: true });
    const created = await createKey(user.session, "  My script  ");
    assert.match(created.key, /^gptimg_[A-Za-z0-9_-]{43}$/);
    assert.match(created.id, /^key_[0-9a-z]{26}$/);
    assert.equal(created.name, "My script");
    assert.equal(created.prefix, created.key.slice(0, 11));
    assert.equal(created.last_used_at, null);
    assert.ok(Math.abs(created.created_at - Date.now()) < 60_000);

    const listed = await listKeys(user.session);
    assert.equal(listed.max_keys, 10);
    assert.deepEqual(listed.keys, [{ id: created.id, name: "My script", prefix: created.prefix, created_at: created.created_at, last_used_at: null }]);
    assert.ok(!JSON.stringify(listed).includes(created.key.slice(11)), "the list never shows the secret");

    const models = await keyJson(created.key, "GET", "/api/models", undefined, { "x-request-id": "key-models-round-trips" });
    assert.equal(models.status, 200);
    assert.ok((await models.json()).models.length > 0);
    const line = await waitFor(() => worker.jsonLogs().find((l) => l.request_id === "key-models-round-trips" && l.msg === "request"), 3000, "the log line");
    assert.equal(line.d1_round_trips, 1, "the key lookup, both rate windows and last_used_at are one batch");

    const before_ = await worker.db.prepare("SELECT credits FROM accounts WHERE id = ?").bind(user.id).first("credits");
    const started = await keyJson(created.key, "POST", "/api/generations", { prompt: "A key-made kite", model: "nano-banana-2", aspect_ratio: "1:1" });
    const startedBody = await started.json();
    assert.equal(started.status, 202, JSON.stringify(startedBody));
    const generationId = startedBody.generations[0].id;
    const row = await worker.db.prepare("SELECT account_id FROM generations WHERE id = ?").bind(generationId).first();
    assert.equal(row.account_id, user.id, "the key acts as its account");
    assert.equal(await worker.db.prepare("SELECT credits FROM accounts WHERE id = ?").bind(user.id).first("credits"), before_ - startedBody.cost);
    assert.equal((await keyJson(created.key, "GET", `/api/generations/${generationId}`)).status, 200);
    assert.equal((await keyJson(created.key, "GET", "/api/generations")).status, 200);

    assert.equal((await sessionJson(user.session, "DELETE", `/api/keys/${created.id}`)).status, 204);
    const refused = await keyJson(created.key, "GET", "/api/models");
    await expectError(refused, 401, "invalid_api_key");
    assert.equal(refused.headers.get("www-authenticate"), "Bearer");
    await expectError(await keyJson(created.key, "POST", "/api/generations", { prompt: "After revocation", model: "nano-banana-2", aspect_ratio: "1:1" }), 401, "invalid_api_key");
    assert.equal(await count(worker.db, "generations", "prompt = ?", "After revocation"), 0);
    assert.deepEqual((await listKeys(user.session)).keys, [], "revoked keys leave the list");
    await expectError(await sessionJson(user.session, "DELETE", `/api/keys/${created.id}`), 404, "api_key_not_found");
  });

  test("only the SHA-256 of the key is stored: the secret is in no column of any table", async () => {
    const user = await newPerson(worker, { label: "hashonly" });
    const created = await createKey(user.session);
    assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200);
    const row = await worker.db.prepare("SELECT key_hash, prefix FROM api_keys WHERE id = ?").bind(created.id).first();
    assert.equal(row.key_hash, crypto.createHash("sha256").update(created.key).digest("hex"));
    const secretPart = created.key.slice(11);
    const { results: tables } = await worker.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all();
    for (const { name } of tables) {
      const dump = JSON.stringify((await worker.db.prepare(`SELECT * FROM "${name}"`).all()).results);
      assert.ok(!dump.includes(secretPart), `${name} holds the secret`);
    }
    assert.ok(!worker.logs.join("\n").includes(secretPart), "nor does any log line");
  });

  test("last_used_at moves with each use", async () => {
    const user = await newPerson(worker, { label: "lastused" });
    const created = await createKey(user.session);
    const lastUsed = async () => (await listKeys(user.session)).keys[0].last_used_at;
    assert.equal(await lastUsed(), null);
    assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200);
    const first = await lastUsed();
    assert.ok(first >= created.created_at && first <= Date.now());
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await keyJson(created.key, "GET", "/api/generations")).status, 200);
    assert.ok((await lastUsed()) > first);
  });

  test("names are 1 to 64 characters; an account has at most 10 live keys; revoking one frees a place", async () => {
    const user = await newPerson(worker, { label: "limits" });
    for (const body of [{ name: "" }, { name: "   " }, { name: "x".repeat(65) }, { name: "a\nb" }, {}]) {
      await expectError(await sessionJson(user.session, "POST", "/api/keys", body), 400, "invalid_key_name");
    }
    assert.equal(await count(worker.db, "api_keys", "account_id = ?", user.id), 0, "refused names store nothing");
    const keys = [await createKey(user.session, "é".repeat(64))];
    for (let i = 1; i < 10; i++) keys.push(await createKey(user.session, `key ${i}`));
    await expectError(await sessionJson(user.session, "POST", "/api/keys", { name: "eleventh" }), 409, "api_key_limit_reached");
    assert.equal(await count(worker.db, "api_keys", "account_id = ?", user.id), 10);
    const listed = await listKeys(user.session);
    assert.deepEqual(listed.keys.map((k) => k.id), keys.map((k) => k.id).reverse(), "newest first");
    assert.equal((await sessionJson(user.session, "DELETE", `/api/keys/${keys[3].id}`)).status, 204);
    assert.equal((await createKey(user.session, "eleventh")).name, "eleventh");
  });

  test("someone else's key, an unknown id and a malformed id are all 404 and change nothing", async () => {
    const owner = await newPerson(worker, { label: "owner" });
    const other = await newPerson(worker, { label: "other" });
    const created = await createKey(owner.session);
    for (const id of [created.id, "key_0000000000000000000000000a", "nope"]) {
      await expectError(await sessionJson(other.session, "DELETE", `/api/keys/${id}`), 404, "api_key_not_found");
    }
    assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200, "the key still works");
    assert.equal((await listKeys(other.session)).keys.length, 0);
  });
});

describe("authenticating by key", () => {
  test("a key uploads a reference, generates with it, reads the result and its image; another account's key cannot", async () => {
    const user = await newPerson(worker, { label: "keyimages", pack: true });
    const other = await newPerson(worker, { label: "keystranger" });
    const [mine, theirs] = [await createKey(user.session), await createKey(other.session)];
    const uploaded = await worker.fetch("/api/uploads", { method: "POST", headers: { authorization: `Bearer ${mine.key}`, "content-type": "image/png" },
      body: encodePng(32, 32, () => [200, 20, 90]) });
    const upload = await uploaded.json();
    assert.ok(uploaded.status < 300, JSON.stringify(upload));
    assert.equal(await worker.db.prepare("SELECT account_id FROM uploads WHERE id = ?").bind(upload.id).first("account_id"), user.id);
    const started = await keyJson(mine.key, "POST", "/api/generations",
      { prompt: "A key-made collage", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [upload.id] });
    assert.equal(started.status, 202);
    const { id } = (await started.json()).generations[0];
    const done = await waitFor(async () => {
      const generation = await (await keyJson(mine.key, "GET", `/api/generations/${id}`)).json();
      return ["succeeded", "failed"].includes(generation.status) && generation;
    }, 20_000, "the generation to settle");
    assert.equal(done.status, "succeeded");
    const image = await keyJson(mine.key, "GET", done.images[0].url);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/png");
    assert.ok((await image.arrayBuffer()).byteLength > 0);
    assert.equal((await keyJson(theirs.key, "GET", done.images[0].url)).status, 404);
    const withOwnersCookie = await keyJson(theirs.key, "GET", done.images[0].url, undefined, { cookie: `gptimg_session=${user.session}` });
    assert.equal(withOwnersCookie.status, 404, "the cookie is ignored when a key is sent");
    await expectError(await keyJson(theirs.key, "GET", `/api/generations/${id}`), 404, "generation_not_found");
  });


  test("anything but a live key is 401 invalid_api_key, and the session cookie is ignored when a key is sent", async () => {
    const user = await newPerson(worker, { label: "badkeys" });
    const other = await newPerson(worker, { label: "cookieholder" });
    const unknown = `gptimg_${"A".repeat(43)}`;
    for (const authorization of [`Bearer ${unknown}`, "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", `Token ${unknown}`]) {
      const response = await worker.fetch("/api/generations", { headers: asUser(worker, user.session, { authorization }) });
      await expectError(response, 401, "invalid_api_key");
      assert.equal(response.headers.get("www-authenticate"), "Bearer");
    }
    const created = await createKey(user.session);
    const page = await worker.fetch("/api/generations", { headers: asUser(worker, other.session, { authorization: `Bearer ${created.key}` }) });
    assert.equal(page.status, 200);
    const mine = await keyJson(created.key, "POST", "/api/generations", { prompt: "Whose is this?", model: "nano-banana-2", aspect_ratio: "1:1" },
      { cookie: `gptimg_session=${other.session}` });
    assert.equal(mine.status, 202);
    const generationId = (await mine.json()).generations[0].id;
    const owner = await worker.db.prepare("SELECT account_id FROM generations WHERE id = ?").bind(generationId).first("account_id");
    assert.equal(owner, user.id, "the key's account, not the cookie's");
  });

  test("a key request skips the origin check; a session request from another origin is still refused", async () => {
    const user = await newPerson(worker, { label: "crossorigin", pack: true });
    const created = await createKey(user.session);
    const body = { prompt: "From a script elsewhere", model: "nano-banana-2", aspect_ratio: "1:1" };
    const keyed = await keyJson(created.key, "POST", "/api/generations", body, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    assert.equal(keyed.status, 202);
    const session = await sessionJson(user.session, "POST", "/api/generations", { ...body, prompt: "From a forged form" }, { origin: "https://evil.example" });
    assert.equal(session.status, 403);
    assert.equal(await count(worker.db, "generations", "prompt = ?", "From a forged form"), 0);
  });

  test("consent is still required with a key", async () => {
    const user = await newPerson(worker, { label: "noconsent" });
    const created = await createKey(user.session);
    await worker.db.prepare("UPDATE accounts SET terms_version = NULL WHERE id = ?").bind(user.id).run();
    await expectError(await keyJson(created.key, "GET", "/api/generations"), 403, "consent_required");
  });

  test("every session-only endpoint refuses a key with 403 api_key_not_allowed and changes nothing", async () => {
    const user = await newPerson(worker, { label: "sessiononly", pack: true });
    const created = await createKey(user.session);
    const snapshot = async () => JSON.stringify({
      account: await worker.db.prepare("SELECT name, credits, terms_version, deletion_started_at FROM accounts WHERE id = ?").bind(user.id).first(),
      keys: (await worker.db.prepare("SELECT id, revoked_at FROM api_keys WHERE account_id = ? ORDER BY id").bind(user.id).all()).results,
      sessions: await count(worker.db, "sessions", "account_id = ? AND revoked_at IS NULL", user.id),
      support: await count(worker.db, "support_messages", "account_id = ? OR email = ?", user.id, user.email),
      payments: await count(worker.db, "payments", "account_id = ?", user.id),
    });
    const before_ = await snapshot();
    const refused = [
      ["GET", "/api/me"], ["PATCH", "/api/me", { name: "Renamed by key" }], ["DELETE", "/api/me", { confirm: "DELETE" }],
      ["POST", "/api/me/consent", { terms_version: "2026-04-22", age_confirmed: true }], ["GET", "/api/me/export"], ["GET", "/api/me/avatar"],
      ["GET", "/api/session"], ["GET", "/api/plans"], ["POST", "/api/billing/checkout", { plan: "pack_100" }], ["POST", "/api/billing/portal", {}],
      ["GET", "/api/credits/ledger"], ["GET", "/api/support"], ["POST", "/api/support", { subject: "By key", message: "Sent with a key" }],
      ["POST", "/auth/logout"], ["GET", "/api/keys"], ["POST", "/api/keys", { name: "made by a key" }], ["DELETE", `/api/keys/${created.id}`],
    ];
    for (const [method, path, body] of refused) {
      await expectError(await keyJson(created.key, method, path, body), 403, "api_key_not_allowed");
    }
    await expectError(await keyJson(created.key, "GET", "/api/admin/users"), 404, "route_not_found");
    assert.equal(await snapshot(), before_, "nothing changed");
    assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200, "the key still works where it may");
  });

  test("public documents ignore a key sent with them: served, neither checked nor counted", async () => {
    const user = await newPerson(worker, { label: "publicdocs" });
    const created = await createKey(user.session);
    const windows = () => worker.db.prepare("SELECT scope, count FROM api_rate_windows WHERE scope = ?").bind(`key:${created.id}`).first();
    const before_ = await windows();
    for (const key of [created.key, "gptimg_not-a-real-key"]) {
      assert.equal((await keyJson(key, "GET", "/api/openapi.json")).status, 200, "the OpenAPI document");
      assert.equal((await keyJson(key, "GET", "/healthz")).status, 200, "health");
    }
    assert.deepEqual(await windows(), before_, "not counted against the key");
  });
});

describe("rate limits", () => {
  test("60 requests a minute per key: the 61st is 429 with Retry-After, and sessions are unaffected", async () => {
    const user = await newPerson(worker, { label: "perkey", pack: true });
    const created = await createKey(user.session);
    await freshWindow();
    for (let i = 0; i < 60; i++) assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200, `request ${i + 1}`);
    const limited = await keyJson(created.key, "POST", "/api/generations", { prompt: "Over the limit", model: "nano-banana-2", aspect_ratio: "1:1" });
    const body = await expectError(limited, 429, "api_rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(body.error.retry_after_seconds, retryAfter);
    assert.equal(await count(worker.db, "generations", "prompt = ?", "Over the limit"), 0, "a limited request changes nothing");
    assert.equal((await sessionJson(user.session, "GET", "/api/generations")).status, 200, "the browser session has no such limit");
  });

  test("120 requests a minute per account across its keys; a key's refused requests do not use the account's share", async () => {
    const user = await newPerson(worker, { label: "peraccount" });
    const [a, b, c] = [await createKey(user.session, "a"), await createKey(user.session, "b"), await createKey(user.session, "c")];
    await freshWindow(30);
    for (let i = 0; i < 60; i++) assert.equal((await keyJson(a.key, "GET", "/api/models")).status, 200);
    await expectError(await keyJson(a.key, "GET", "/api/models"), 429, "api_rate_limited");
    for (let i = 0; i < 60; i++) assert.equal((await keyJson(b.key, "GET", "/api/models")).status, 200, `b's request ${i + 1}`);
    const limited = await keyJson(c.key, "GET", "/api/models");
    const body = await expectError(limited, 429, "api_rate_limited");
    assert.match(body.error.message, /120/);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  });
});

describe("keys die with the account", () => {
  test("deleting the account removes its keys and they are 401 at once; a key of an account being deleted is refused", async () => {
    const user = await newPerson(worker, { label: "deleted" });
    const created = await createKey(user.session);
    assert.equal((await keyJson(created.key, "GET", "/api/models")).status, 200);
    const exported = await (await sessionJson(user.session, "GET", "/api/me/export")).json();
    assert.deepEqual(Object.keys(exported.data.api_keys[0]).sort(), ["created_at", "id", "last_used_at", "name", "prefix", "revoked_at"]);
    assert.equal(exported.data.api_keys[0].id, created.id);
    assert.ok(!JSON.stringify(exported).includes(created.key.slice(11)) && !JSON.stringify(exported).includes("key_hash"));

    assert.equal((await sessionJson(user.session, "DELETE", "/api/me", { confirm: "DELETE" })).status, 204);
    await expectError(await keyJson(created.key, "GET", "/api/models"), 401, "invalid_api_key");
    assert.equal(await count(worker.db, "api_keys", "account_id = ?", user.id), 0);
    assert.equal(await count(worker.db, "api_rate_windows", "scope IN (?, ?)", `key:${created.id}`, `acc:${user.id}`), 0);

    const going = await newPerson(worker, { label: "going" });
    const goingKey = await createKey(going.session);
    await worker.db.prepare("UPDATE accounts SET deletion_started_at = ? WHERE id = ?").bind(Date.now(), going.id).run();
    await expectError(await keyJson(goingKey.key, "GET", "/api/generations"), 401, "invalid_api_key");
  });
});

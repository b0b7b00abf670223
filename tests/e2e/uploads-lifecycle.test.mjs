// End-to-end, issue 25 (uploads): a reference image can be deleted (row and object, through the R2 to-do), the
// quota counts live uploads and refuses before storing a byte, signed-in uploads are rate-limited as API ones are,
// and an upload still streaming when its account is deleted leaves nothing behind.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { generate, upload, r2Keys, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const worker = useWorker({ before, after });
const newUser = (options = {}) => newPerson(worker, { label: "uploader", ...options });
let shade = 0;
/** A new image each time (the bytes differ), so no upload is a repeat of another. */
const png = (size = 24) => { shade += 1; return encodePng(size, size, () => [shade % 256, 40, 200]); };

const send = (session, method, path, extra = {}) => worker.fetch(path, { method, headers: asUser(worker, session, extra) });
const uploadRow = (id) => worker.db.prepare("SELECT id, r2_key FROM uploads WHERE id = ?").bind(id).first();
const requestLine = (requestId) => waitFor(() => worker.jsonLogs().find((l) => l.msg === "request" && l.request_id === requestId), 5000, `the log line of ${requestId}`);

/** The window start the Worker counts uploads in; waits out the last seconds of a minute so a test stays in one. */
async function currentWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  return Date.now() - (Date.now() % 60_000);
}

describe("deleting an upload", () => {
  test("DELETE /api/uploads/{id} removes the row and its object; someone else's is 404 and stays", async () => {
    const [owner, stranger] = [await newUser(), await newUser()];
    const stored = await upload(worker, owner.session, png());
    assert.equal(stored.response.status, 201);
    const { r2_key } = await uploadRow(stored.body.id);
    assert.deepEqual(await r2Keys(worker, `uploads/${owner.id}/`), [r2_key]);

    for (const id of [stored.body.id, "upl_nonsense", "not-an-id"]) {
      const refused = await send(stranger.session, "DELETE", `/api/uploads/${id}`);
      assert.equal(refused.status, 404, id);
      assert.equal((await refused.json()).error.code, "upload_not_found");
    }
    assert.ok(await uploadRow(stored.body.id), "a stranger's attempt changes nothing");
    assert.deepEqual(await r2Keys(worker, `uploads/${owner.id}/`), [r2_key]);

    const deleted = await send(owner.session, "DELETE", `/api/uploads/${stored.body.id}`);
    assert.equal(deleted.status, 204);
    assert.equal(await uploadRow(stored.body.id), null);
    assert.deepEqual(await r2Keys(worker, `uploads/${owner.id}/`), [], "the object went with its row");
    assert.equal(await count(worker.db, "r2_deletions", "r2_key = ?", r2_key), 0, "and left the to-do once R2 confirmed");
    assert.equal((await send(owner.session, "DELETE", `/api/uploads/${stored.body.id}`)).status, 404, "a second delete finds nothing");
    const reference = await generate(worker, owner.session, { prompt: "uses a deleted upload", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [stored.body.id] });
    assert.equal(reference.response.status, 404, "a deleted upload is no reference any more");
  });

  test("an upload an unfinished generation uses is kept (409 upload_in_use); an API key may delete one too", async () => {
    const user = await newUser({ pack: true });
    const stored = await upload(worker, user.session, png());
    const prompt = "A slow one with a reference [apipod-delay:30000]";
    const started = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [stored.body.id] });
    assert.equal(started.response.status, 202);
    await submittedTask(worker, prompt);
    const refused = await send(user.session, "DELETE", `/api/uploads/${stored.body.id}`);
    assert.equal(refused.status, 409);
    assert.equal((await refused.json()).error.code, "upload_in_use");
    assert.ok(await uploadRow(stored.body.id));
    assert.equal((await r2Keys(worker, `uploads/${user.id}/`)).length, 1, "APIPod can still fetch it");

    const created = await (await worker.fetch("/api/keys", { method: "POST", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ name: "uploads" }) })).json();
    const other = await upload(worker, user.session, png());
    const byKey = await worker.fetch(`/api/uploads/${other.body.id}`, { method: "DELETE", headers: { authorization: `Bearer ${created.key}` } });
    assert.equal(byKey.status, 204);
    assert.equal(await uploadRow(other.body.id), null);
  });
});

describe("admitting an upload", () => {
  test("the quota counts live uploads only and refuses before a byte is stored", async () => {
    const user = await newUser();
    const seeded = Array.from({ length: 200 }, (_, i) => `upl_q${String(user.n).padStart(4, "0")}${String(i).padStart(21, "0")}`);
    const insert = worker.db.prepare("INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) VALUES (?, ?, ?, 'image/png', 10, 'x', 1, 1, ?)");
    await worker.db.batch(seeded.map((id, i) => insert.bind(id, user.id, `uploads/${user.id}/${id}`, 1_780_000_000_000 + i)));

    const full = await worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, user.session, { "content-type": "image/png", "x-request-id": `quota-full-${user.n}` }), body: png(64) });
    assert.equal(full.status, 409);
    assert.equal((await full.json()).error.code, "upload_quota_exceeded");
    assert.equal((await requestLine(`quota-full-${user.n}`)).r2_ops, 0, "refused before anything was written to R2");
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);

    assert.equal((await send(user.session, "DELETE", `/api/uploads/${seeded[0]}`)).status, 204);
    const room = await upload(worker, user.session, png());
    assert.equal(room.response.status, 201, "a deleted upload frees its place");
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 200);
  });

  test("signed-in uploads are rate-limited per account, with Retry-After, before a byte is stored", async () => {
    const user = await newUser();
    const window = await currentWindow();
    await worker.db.prepare("INSERT INTO api_rate_windows (scope, window_start, count) VALUES (?, ?, 30)").bind(`upl:${user.id}`, window).run();
    const limited = await worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, user.session, { "content-type": "image/png", "x-request-id": `upload-rate-${user.n}` }), body: png() });
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).error.code, "upload_rate_limited");
    const retry = Number(limited.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal((await requestLine(`upload-rate-${user.n}`)).r2_ops, 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
  });
});

describe("an upload racing the account's deletion", () => {
  test("an upload still streaming when the account is deleted writes no row and leaves no object", async () => {
    const user = await newUser();
    const bytes = png(96);
    let feed;
    const body = new ReadableStream({ start(controller) { feed = controller; } });
    feed.enqueue(bytes.subarray(0, 64));
    const pending = worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, user.session, { "content-type": "image/png" }), body, duplex: "half" });
    // The upload has passed its session check and admission, and streams into R2...
    await waitFor(async () => (await count(worker.db, "api_rate_windows", "scope = ?", `upl:${user.id}`)) === 1, 5000, "the upload admitted");
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ...when the account is deleted.
    const deleted = await worker.fetch("/api/me", { method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ confirm: "DELETE" }) });
    assert.equal(deleted.status, 204);
    feed.enqueue(bytes.subarray(64));
    feed.close();
    const answer = await pending;
    assert.equal(answer.status, 410, "the account is gone");
    assert.equal((await answer.json()).error.code, "account_deleted");
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0, "no row");
    await waitFor(async () => (await r2Keys(worker, `uploads/${user.id}/`)).length === 0, 5000, "no object");
  });
});

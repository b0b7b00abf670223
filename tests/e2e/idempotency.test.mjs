// End-to-end: Idempotency-Key on POST /api/generations and POST /api/uploads — a repeated key replays the first
// answer (charged once, one APIPod task, one R2 object), another request under the key is 409 with nothing changed,
// concurrent duplicates make one effect, keys are per account and operation, refused requests store nothing, and
// answers expire after 24 hours (the sweep deletes them).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { r2Keys, ledgerFor, apipodSaw, submittedTask } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });

const DAY_MS = 24 * 60 * 60 * 1000;
let keys = 0;
const freshKey = () => `test-key-${Date.now()}-${++keys}`;

function postGeneration(session, body, key) {
  const headers = asUser(worker, session, { "content-type": "application/json", ...(key === undefined ? {} : { "idempotency-key": key }) });
  return worker.fetch("/api/generations", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

function postUpload(session, bytes, key) {
  const headers = asUser(worker, session, { "content-type": "image/png", ...(key === undefined ? {} : { "idempotency-key": key }) });
  return worker.fetch("/api/uploads", { method: "POST", headers, body: bytes });
}

const generationsOf = (user) => count(worker.db, "generations", "account_id = ?", user.id);
const debitsOf = (user) => count(worker.db, "credit_ledger", "account_id = ? AND kind = 'generation_debit'", user.id);
const storedKeys = (user) => count(worker.db, "idempotency_keys", "account_id = ?", user.id);
const png = (seed) => encodePng(40, 30, (x, y) => [(x * seed) % 256, (y * 7) % 256, seed % 256]);

describe("POST /api/generations with an Idempotency-Key", () => {
  test("a repeat replays the first answer byte for byte: one charge, one generation, one APIPod task", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const prompt = "An idempotent lighthouse";
    const first = await postGeneration(user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "16:9" }, key);
    assert.equal(first.status, 202);
    assert.equal(first.headers.get("idempotent-replayed"), null);
    const firstText = await first.text();
    const started = JSON.parse(firstText);
    assert.equal(started.credits, 6, "the balance after the charge");
    await submittedTask(worker, prompt);

    // The same request spelled differently (spaces around the prompt, fields reordered, n: 1) is the same request.
    const again = await postGeneration(user.session, { aspect_ratio: "16:9", n: 1, model: "seedream-v4.5", prompt: `  ${prompt}\n` }, key);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.match(again.headers.get("content-type"), /application\/json/);
    assert.equal(await again.text(), firstText, "the stored answer, credits included");
    assert.equal(await balance(worker, user.session), 6, "charged once");
    assert.equal(await generationsOf(user), 1);
    assert.equal(await debitsOf(user), 1);
    assert.deepEqual(await ledgerFor(worker, started.generations[0].id), [{ kind: "generation_debit", amount: -4 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(apipodSaw(worker, prompt).tasks.length, 1, "no second APIPod task");
  });

  test("an answer an earlier version stored already rendered is replayed as it was stored", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const request = { prompt: "A lighthouse stored the old way", model: "seedream-v4.5", aspect_ratio: "1:1" };
    const first = await postGeneration(user.session, request, key);
    assert.equal(first.status, 202);
    const rendered = await first.text();
    const stored = await worker.db.prepare("SELECT body FROM idempotency_keys WHERE account_id = ?").bind(user.id).first();
    assert.equal(JSON.parse(stored.body).members.length, 1, "the key stores the admitted batch, not a rendering");
    await worker.db.prepare("UPDATE idempotency_keys SET body = ? WHERE account_id = ?").bind(rendered, user.id).run();
    const again = await postGeneration(user.session, request, key);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal(await again.text(), rendered);
    assert.equal(await generationsOf(user), 1);
    assert.equal(await debitsOf(user), 1);
  });

  test("the same key for a different request is 409 idempotency_key_reused and changes nothing", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    assert.equal((await postGeneration(user.session, { prompt: "A first fox", model: "seedream-v4.5", aspect_ratio: "1:1" }, key)).status, 202);
    const row = await worker.db.prepare("SELECT * FROM idempotency_keys WHERE account_id = ?").bind(user.id).first();
    for (const other of [
      { prompt: "A second fox", model: "seedream-v4.5", aspect_ratio: "1:1" },
      { prompt: "A first fox", model: "seedream-v4.5", aspect_ratio: "16:9" },
    ]) {
      const reused = await postGeneration(user.session, other, key);
      assert.equal(reused.status, 409);
      assert.equal((await reused.json()).error.code, "idempotency_key_reused");
    }
    assert.equal(await balance(worker, user.session), 6);
    assert.equal(await generationsOf(user), 1);
    assert.deepEqual(await worker.db.prepare("SELECT * FROM idempotency_keys WHERE account_id = ?").bind(user.id).first(), row, "the stored answer is untouched");
    assert.equal(apipodSaw(worker, "A second fox").submissions.length, 0);
  });

  test("concurrent duplicates make one generation and one charge; every caller gets the same answer", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const body = { prompt: "A crowded idempotent harbour", model: "seedream-v4.5", aspect_ratio: "1:1" };
    const answers = await Promise.all(Array.from({ length: 6 }, () => postGeneration(user.session, body, key)));
    const texts = await Promise.all(answers.map((r) => r.text()));
    assert.deepEqual(answers.map((r) => r.status), Array(6).fill(202));
    assert.equal(new Set(texts).size, 1, "one answer");
    assert.equal(answers.filter((r) => r.headers.get("idempotent-replayed") === "true").length, 5, "one did it, five replayed");
    assert.equal(await generationsOf(user), 1);
    assert.equal(await debitsOf(user), 1);
    assert.equal(await balance(worker, user.session), 6);
    await submittedTask(worker, body.prompt);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(apipodSaw(worker, body.prompt).tasks.length, 1);
  });

  test("a bad header is 400 invalid_idempotency_key before anything happens", async () => {
    const user = await newPerson(worker, { label: "idem" });
    for (const bad of ["has space", "k".repeat(256), "caf\u00e9"]) {
      const refused = await postGeneration(user.session, { prompt: "Never made", model: "seedream-v4.5", aspect_ratio: "1:1" }, Buffer.from(bad, "utf8").toString("latin1"));
      assert.equal(refused.status, 400, bad);
      assert.equal((await refused.json()).error.code, "invalid_idempotency_key");
    }
    assert.equal(await generationsOf(user), 0);
    assert.equal(await storedKeys(user), 0);
    assert.equal(await balance(worker, user.session), 10);
  });

  test("keys are per account: another account's same key is its own request", async () => {
    const [ada, bob] = [await newPerson(worker, { label: "idem" }), await newPerson(worker, { label: "idem" })];
    const key = freshKey();
    const body = { prompt: "A shared key", model: "seedream-v4.5", aspect_ratio: "1:1" };
    const a = await postGeneration(ada.session, body, key);
    const b = await postGeneration(bob.session, body, key);
    assert.deepEqual([a.status, b.status], [202, 202]);
    assert.equal(b.headers.get("idempotent-replayed"), null);
    assert.notEqual((await a.json()).generations[0].id, (await b.json()).generations[0].id);
    assert.deepEqual([await balance(worker, ada.session), await balance(worker, bob.session)], [6, 6]);
  });

  test("a refused request stores nothing: the key then works for the next request", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const tooDear = await postGeneration(user.session, { prompt: "Four at once", model: "seedream-v4.5", aspect_ratio: "1:1", n: 4 }, key);
    assert.equal(tooDear.status, 402);
    const invalid = await postGeneration(user.session, { prompt: "No such model", model: "nope", aspect_ratio: "1:1" }, key);
    assert.equal(invalid.status, 422);
    assert.equal(await storedKeys(user), 0);
    const ok = await postGeneration(user.session, { prompt: "One at once", model: "seedream-v4.5", aspect_ratio: "1:1" }, key);
    assert.equal(ok.status, 202);
    assert.equal(ok.headers.get("idempotent-replayed"), null);
    assert.equal(await storedKeys(user), 1);
  });

  test("an answer expires after 24 hours: the key is new again, and the sweep deletes old answers", async () => {
    const user = await newPerson(worker, { label: "idem", pack: true });
    const [key, other] = [freshKey(), freshKey()];
    assert.equal((await postGeneration(user.session, { prompt: "Yesterday", model: "seedream-v4.5", aspect_ratio: "1:1" }, key)).status, 202);
    assert.equal((await postGeneration(user.session, { prompt: "Today", model: "seedream-v4.5", aspect_ratio: "1:1" }, other)).status, 202);
    await worker.db.prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE idem_key = ?").bind(DAY_MS + 1000, key).run();
    await worker.runCron();
    assert.deepEqual(
      (await worker.db.prepare("SELECT idem_key FROM idempotency_keys WHERE account_id = ?").bind(user.id).all()).results,
      [{ idem_key: other }], "the day-old answer is gone, the fresh one kept",
    );
    await worker.db.prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE idem_key = ?").bind(DAY_MS + 1000, other).run();
    // Not yet swept: an expired answer is never replayed; the key is taken over by the new request.
    const reused = await postGeneration(user.session, { prompt: "A different day", model: "seedream-v4.5", aspect_ratio: "1:1" }, other);
    assert.equal(reused.status, 202, "a new request under the expired key");
    assert.equal(reused.headers.get("idempotent-replayed"), null);
    const replaced = await worker.db.prepare("SELECT body, created_at FROM idempotency_keys WHERE idem_key = ?").bind(other).first();
    assert.equal(JSON.parse(replaced.body).spec.prompt, "A different day", "the new answer replaced the expired one");
    assert.ok(replaced.created_at > Date.now() - 60_000);
    assert.equal(await generationsOf(user), 3);
  });
});

describe("POST /api/uploads with an Idempotency-Key", () => {
  test("a repeat replays the first answer; the duplicate's R2 object is deleted", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const bytes = png(3);
    const first = await postUpload(user.session, bytes, key);
    assert.equal(first.status, 201);
    const firstText = await first.text();
    const again = await postUpload(user.session, bytes, key);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal(await again.text(), firstText);
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 1);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), [`uploads/${user.id}/${JSON.parse(firstText).id}`]);
  });

  test("other bytes under the same key are 409 and leave no object or row", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    assert.equal((await postUpload(user.session, png(5), key)).status, 201);
    const reused = await postUpload(user.session, png(6), key);
    assert.equal(reused.status, 409);
    assert.equal((await reused.json()).error.code, "idempotency_key_reused");
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 1);
    assert.equal((await r2Keys(worker, `uploads/${user.id}/`)).length, 1);
  });

  test("concurrent duplicate uploads store one row and one object", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const bytes = png(9);
    const answers = await Promise.all(Array.from({ length: 4 }, () => postUpload(user.session, bytes, key)));
    const texts = await Promise.all(answers.map((r) => r.text()));
    assert.deepEqual(answers.map((r) => r.status), Array(4).fill(201));
    assert.equal(new Set(texts).size, 1);
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 1);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), [`uploads/${user.id}/${JSON.parse(texts[0]).id}`]);
  });

  test("a key is per operation: the same key on an upload and a generation are two requests", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const key = freshKey();
    const uploaded = await postUpload(user.session, png(11), key);
    assert.equal(uploaded.status, 201);
    const { id } = await uploaded.json();
    const started = await postGeneration(user.session, { prompt: "From my upload", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [id] }, key);
    assert.equal(started.status, 202);
    assert.equal(started.headers.get("idempotent-replayed"), null);
    assert.equal(await storedKeys(user), 2);
  });

  test("a bad header is 400 and stores nothing", async () => {
    const user = await newPerson(worker, { label: "idem" });
    const refused = await postUpload(user.session, png(13), "");
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error.code, "invalid_idempotency_key");
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
  });
});

test("account deletion removes the account's stored answers (they repeat its prompts)", async () => {
  const user = await newPerson(worker, { label: "idem" });
  assert.equal((await postGeneration(user.session, { prompt: "Soon forgotten", model: "seedream-v4.5", aspect_ratio: "1:1" }, freshKey())).status, 202);
  assert.equal((await postUpload(user.session, png(17), freshKey())).status, 201);
  assert.equal(await storedKeys(user), 2);
  const deleted = await worker.fetch("/api/me", {
    method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ confirm: "DELETE" }),
  });
  assert.equal(deleted.status, 204);
  assert.equal(await storedKeys(user), 0);
});

test("an API client's retry with its key replays the first answer: one charge, one APIPod task", async () => {
  const user = await newPerson(worker, { label: "idemkey" });
  const created = await worker.fetch("/api/keys", {
    method: "POST", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ name: "retrying client" }),
  });
  assert.equal(created.status, 201);
  const { key: secret } = await created.json();
  const key = freshKey();
  const prompt = "A retried request from a script";
  const send = () => worker.fetch("/api/generations", {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "idempotency-key": key, origin: "https://someone-elses.example" },
    body: JSON.stringify({ prompt, model: "seedream-v4.5", aspect_ratio: "1:1" }),
  });
  const first = await send();
  assert.equal(first.status, 202);
  const firstText = await first.text();
  const again = await send();
  assert.equal(again.status, 202);
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  assert.equal(await again.text(), firstText);
  assert.equal(await generationsOf(user), 1);
  assert.equal(await debitsOf(user), 1);
  await submittedTask(worker, prompt);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(apipodSaw(worker, prompt).tasks.length, 1, "no second APIPod task");
});

// End-to-end (issue 16): several images per request (n generations, n APIPod tasks, one admission batch; each
// ends and is refunded on its own), generated images as references, and the remix data in the view.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, getGeneration, settled, upload, ledgerFor, apipodSaw, waitFor } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });
const newUser = (options = {}) => newPerson(worker, { label: "batcher", ...options });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rowsOf = async (accountId) =>
  (await worker.db.prepare("SELECT id, batch_id, status, cost FROM generations WHERE account_id = ? ORDER BY id").bind(accountId).all()).results;
const refundsOf = async (accountId) =>
  (await worker.db.prepare("SELECT source_id, amount FROM credit_ledger WHERE account_id = ? AND kind = 'generation_refund'").bind(accountId).all()).results;

describe("several images per request", () => {
  test("n=2 where one task fails: one image, one refund of exactly one image's cost, replays refund nothing more", async () => {
    const user = await newUser({ pack: true });
    const prompt = "Two foxes in the snow [apipod:fail_every_second]";
    const { response, started } = await generate(worker, user.session, { prompt, model: "nano-banana-2", aspect_ratio: "1:1", n: 2 });
    assert.equal(response.status, 202);
    assert.deepEqual([started.generations.length, started.cost, started.credits], [2, 4, 106], "2 images at 2 credits, charged at once");
    const [a, b] = started.generations;
    assert.notEqual(a.id, b.id);
    assert.match(a.batch_id, /^bat_/);
    assert.equal(a.batch_id, b.batch_id);
    assert.deepEqual([a.status, a.cost, b.status, b.cost], ["queued", 2, "queued", 2]);
    assert.equal(await balance(worker, user.session), 106);
    const rows = await rowsOf(user.id);
    assert.deepEqual(rows.map((r) => r.batch_id), [a.batch_id, a.batch_id], "one batch in D1");
    for (const g of [a, b]) assert.deepEqual(await ledgerFor(worker, g.id), [{ kind: "generation_debit", amount: -2 }]);

    const done = [await settled(worker, user.session, a.id), await settled(worker, user.session, b.id)];
    const succeeded = done.filter((g) => g.status === "succeeded");
    const failed = done.filter((g) => g.status === "failed");
    assert.deepEqual([succeeded.length, failed.length], [1, 1], "the stand-in failed one of the two tasks");
    assert.equal(succeeded[0].images.length, 1);
    assert.equal(failed[0].failure.code, "provider_failed");
    assert.deepEqual(await ledgerFor(worker, succeeded[0].id), [{ kind: "generation_debit", amount: -2 }]);
    assert.deepEqual(await ledgerFor(worker, failed[0].id), [{ kind: "generation_debit", amount: -2 }, { kind: "generation_refund", amount: 2 }]);
    assert.equal(await balance(worker, user.session), 108, "110 - 4 + 2");

    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(tasks.length, 2, "n images are n APIPod tasks");
    assert.equal(new Set(submissions.map((s) => s.idempotencyKey)).size, 2);
    assert.ok(submissions.every((s) => s.input.n === undefined), "no image-count parameter is sent (none is documented)");

    // APIPod delivers the failure's callback again, and the queue's poll comes back: nothing is refunded twice.
    const failedTask = tasks.find((t) => t.state === "failed");
    const delivered = await waitFor(() => worker.fakes.apipod.state.callbacks.find((c) => c.taskId === failedTask.id && c.status === 200), 5000, "the callback");
    const replay = await fetch(failedTask.input.callback_url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(delivered.payload) });
    assert.equal(replay.status, 200);
    await sleep(1500);
    assert.deepEqual(await refundsOf(user.id), [{ source_id: failed[0].id, amount: 2 }]);
    assert.equal(await balance(worker, user.session), 108);
    assert.equal((await getGeneration(worker, user.session, failed[0].id)).status, "failed");
    const matched = checkApipodAnswers(worker.fakes.apipod.state.answers);
    assert.ok(matched["callback-failed.json"] > 0 && matched["callback-completed.json"] > 0, JSON.stringify(matched));
  });

  test("n outside 1..4 is 400 invalid_image_count; what cannot be paid for whole is refused whole", async () => {
    const user = await newUser();
    for (const n of [0, 5, -1]) {
      const { response, body } = await generate(worker, user.session, { prompt: "Too many", model: "seedream-v4.5", aspect_ratio: "1:1", n });
      assert.equal(response.status, 400);
      assert.equal(body.error.code, "invalid_image_count");
    }
    // 10 welcome credits: two 4-credit images fit, three do not.
    const refused = await generate(worker, user.session, { prompt: "Three owls", model: "seedream-v4.5", aspect_ratio: "1:1", n: 3 });
    assert.equal(refused.response.status, 402);
    assert.equal(refused.body.error.code, "insufficient_credits");
    assert.deepEqual(refused.body.error.details, { balance: 10, cost: 12 });
    assert.deepEqual(await rowsOf(user.id), [], "nothing admitted");
    assert.equal(await balance(worker, user.session), 10, "nothing charged");
    const two = await generate(worker, user.session, { prompt: "Two owls", model: "seedream-v4.5", aspect_ratio: "1:1", n: 2 });
    assert.equal(two.response.status, 202);
    assert.deepEqual([two.started.cost, two.started.credits], [8, 2]);
  });

  test("the in-flight and per-minute limits count images: a batch that would pass them is refused as a whole", async () => {
    const user = await newUser({ pack: true });
    const first = await generate(worker, user.session, { prompt: "Slow herons [apipod:stall]", model: "nano-banana-2", aspect_ratio: "1:1", n: 4 });
    assert.equal(first.response.status, 202);
    const busy = await generate(worker, user.session, { prompt: "Three more [apipod:stall]", model: "nano-banana-2", aspect_ratio: "1:1", n: 3 });
    assert.equal(busy.response.status, 429, "4 in flight + 3 > 6");
    assert.equal(busy.body.error.code, "too_many_in_flight");
    assert.ok(Number(busy.response.headers.get("retry-after")) > 0);
    assert.equal(busy.body.error.retry_after_seconds, Number(busy.response.headers.get("retry-after")), "the wait in the body too");
    assert.equal((await rowsOf(user.id)).length, 4);
    assert.equal(await balance(worker, user.session), 102, "only the first batch was charged");
    const fits = await generate(worker, user.session, { prompt: "Two more [apipod:stall]", model: "nano-banana-2", aspect_ratio: "1:1", n: 2 });
    assert.equal(fits.response.status, 202, "4 + 2 = 6 fits");
    assert.equal((await rowsOf(user.id)).length, 6);
  });
});

test("the per-minute limit counts images: 10 started, 3 more are refused whole, 2 fit", async () => {
  const user = await newUser({ pack: true });
  for (const [i, n] of [[1, 4], [2, 4], [3, 2]]) {
    const { response, started } = await generate(worker, user.session, { prompt: `Quick batch ${i}`, model: "nano-banana-2", aspect_ratio: "1:1", n });
    assert.equal(response.status, 202);
    for (const g of started.generations) await settled(worker, user.session, g.id);
  }
  // The ten spread over the last minute, 5 s apart (the oldest started 55 s ago), so the retry time shows which one
  // has to leave the minute: for 3 more images the oldest (in ~5 s), for 4 the second oldest (in ~10 s).
  const now = Date.now();
  const started = await worker.db.prepare("SELECT id FROM generations WHERE account_id = ? ORDER BY created_at, id").bind(user.id).all();
  for (const [i, row] of started.results.entries()) {
    await worker.db.prepare("UPDATE generations SET created_at = ? WHERE id = ?").bind(now - 55_000 + i * 5_000, row.id).run();
  }
  const credits = await balance(worker, user.session);
  for (const [n, seconds] of [[3, 5], [4, 10]]) {
    const refused = await generate(worker, user.session, { prompt: `${n} too many`, model: "nano-banana-2", aspect_ratio: "1:1", n });
    assert.equal(refused.response.status, 429);
    assert.equal(refused.body.error.code, "rate_limited");
    const wait = refused.body.error.retry_after_seconds;
    assert.ok(wait === seconds || wait === seconds - 1, `${n} images: retry after ${wait} s, not ~${seconds} s`);
    assert.equal(refused.response.headers.get("retry-after"), String(wait));
  }
  assert.equal((await rowsOf(user.id)).length, 10);
  assert.equal(await balance(worker, user.session), credits, "nothing charged");
  const fits = await generate(worker, user.session, { prompt: "Two fit", model: "nano-banana-2", aspect_ratio: "1:1", n: 2 });
  assert.equal(fits.response.status, 202);
  assert.equal(fits.started.credits, credits - 4);
});

describe("a generated image as a reference", () => {
  test("APIPod fetches the stored image itself through a signed link; the view carries the remix data", async () => {
    const user = await newUser({ pack: true });
    const source = await generate(worker, user.session, { prompt: "A red kite", model: "nano-banana-2", aspect_ratio: "1:1" });
    const [image] = (await settled(worker, user.session, source.body.id)).images;
    const stored = await worker.db.prepare("SELECT r2_key FROM generation_images WHERE id = ?").bind(image.id).first();
    const original = Buffer.from(await (await worker.bucket.get(stored.r2_key)).arrayBuffer());
    const uploaded = await upload(worker, user.session, encodePng(32, 32, (x, y) => [x * 8, y * 8, 64]));

    const prompt = "The kite, now blue [apipod-delay:1500]";
    const { response, body, started } = await generate(worker, user.session,
      { prompt, model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [uploaded.body.id], reference_image_ids: [image.id] });
    assert.equal(response.status, 202);
    assert.equal(started.cost, 4);
    assert.deepEqual(body.reference_image_ids, [image.id]);
    assert.deepEqual(body.references.map((r) => [r.id, r.kind]), [[uploaded.body.id, "upload"], [image.id, "image"]]);
    const submission = await waitFor(() => apipodSaw(worker, prompt).submissions.find((s) => s.taskId), 5000, "the submission");
    assert.equal(submission.input.model, "seedream-v4.5-edit");
    assert.equal(submission.input.image_urls.length, 2);
    assert.match(submission.input.image_urls[1], new RegExp(`^${worker.url}/images/${image.id}/content\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    const fetched = submission.references[1];
    assert.equal(fetched.status, 200);
    assert.ok(fetched.bytes.equals(original), "APIPod received the stored original's bytes");
    assert.equal(await count(worker.db, "generation_images", "account_id = ?", user.id), 1, "no copy was stored");

    // The signed link is the only way in without a session: a changed signature is a 404.
    const forged = submission.input.image_urls[1].replace(/sig=[0-9a-f]/, (m) => (m.endsWith("0") ? "sig=1" : "sig=0"));
    assert.equal((await fetch(forged)).status, 404);

    // While it runs, the source cannot be deleted (APIPod may still fetch it); afterwards it can.
    const blocked = await worker.fetch(`/api/generations/${source.body.id}`, { method: "DELETE", headers: asUser(worker, user.session) });
    assert.equal(blocked.status, 409);
    assert.equal((await blocked.json()).error.code, "generation_in_use");
    assert.equal(await count(worker.db, "r2_deletions"), 0, "nothing listed for deletion");
    // The gallery's multi-delete keeps it too, saying why, and lists none of its objects for deletion.
    const many = await worker.fetch("/api/generations/delete", { method: "POST", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ ids: [source.body.id] }) });
    assert.equal(many.status, 200);
    assert.deepEqual(await many.json(), { deleted: [], kept: [{ id: source.body.id, code: "generation_in_use" }] });
    assert.equal(await count(worker.db, "r2_deletions"), 0, "multi-delete listed nothing for deletion");
    assert.ok(await worker.bucket.head(stored.r2_key), "the referenced original is still stored");
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const viewed = await worker.fetch(done.references[1].url, { headers: asUser(worker, user.session) });
    assert.equal(viewed.status, 200, "the reference's URL is viewable by its owner");
    const uploadLink = await worker.fetch(done.references[0].url);
    assert.equal(uploadLink.status, 200, "the upload's signed link works");

    // Listed the same way (one query for the page), and a reference that no longer exists is left out.
    const page = await (await worker.fetch("/api/generations?limit=5", { headers: asUser(worker, user.session, { "x-request-id": "list-with-refs" }) })).json();
    const listed = page.generations.find((g) => g.id === body.id);
    assert.deepEqual(listed.references.map((r) => r.id), [uploaded.body.id, image.id]);
    assert.equal(page.generations.find((g) => g.id === source.body.id).batch_id, source.started.generations[0].batch_id);
    const removed = await worker.fetch(`/api/generations/${source.body.id}`, { method: "DELETE", headers: asUser(worker, user.session) });
    assert.equal(removed.status, 204);
    const after = await getGeneration(worker, user.session, body.id);
    assert.deepEqual(after.reference_image_ids, [image.id]);
    assert.deepEqual(after.references.map((r) => r.kind), ["upload"]);
    const line = await waitFor(() => worker.jsonLogs().find((l) => l.request_id === "list-with-refs" && l.msg === "request"), 3000, "the list's log line");
    assert.equal(line.d1_round_trips, 2, "session, then the page with its references");
  });

  test("someone else's image, or an unknown one, is 404 image_not_found and nothing is charged; the limit counts both kinds", async () => {
    const owner = await newUser({ pack: true });
    const source = await generate(worker, owner.session, { prompt: "Owner's heron", model: "nano-banana-2", aspect_ratio: "1:1" });
    const [image] = (await settled(worker, owner.session, source.body.id)).images;
    const stranger = await newUser({ pack: true });
    for (const id of [image.id, "img_0000000000000000000000000z"]) {
      const { response, body } = await generate(worker, stranger.session, { prompt: "steal", model: "seedream-v4.5", aspect_ratio: "1:1", reference_image_ids: [id] });
      assert.equal(response.status, 404);
      assert.equal(body.error.code, "image_not_found");
    }
    assert.equal(await balance(worker, stranger.session), 110);
    assert.deepEqual(await rowsOf(stranger.id), []);
    assert.equal(apipodSaw(worker, "steal").submissions.length, 0);
    // Nano Banana 2 takes at most 8 references: 8 uploads + 1 image is one too many (422, as for uploads alone).
    const uploads = [];
    for (let i = 0; i < 8; i++) uploads.push((await upload(worker, owner.session, encodePng(16, 16, () => [i * 30, 2, 3]))).body.id);
    const { response, body } = await generate(worker, owner.session,
      { prompt: "too many", model: "nano-banana-2", aspect_ratio: "1:1", reference_upload_ids: uploads, reference_image_ids: [image.id] });
    assert.equal(response.status, 422);
    assert.equal(body.error.code, "too_many_references");
  });
});

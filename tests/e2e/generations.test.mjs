// End-to-end: generations through the APIPod stand-in — charging, exact refunds, R2 outputs, gallery, sharing, limits.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, getGeneration, settled, upload, r2Keys, ledgerFor, apipodSaw, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { encodePng } from "../support/fakes/png.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";

const worker = useWorker({ before, after });

const newUser = (options = {}) => newPerson(worker, { label: "maker", ...options });

const reference = () => encodePng(64, 48, (x, y) => [x * 4, y * 5, 128]);

describe("a successful generation", () => {
  test("charges once, stores the stand-in's exact image in R2 and serves it to its owner", async () => {
    const user = await newUser({ pack: true });
    const { response, body } = await generate(worker, user.session, { prompt: "A lighthouse at dusk", model: "seedream-v4.5", aspect_ratio: "16:9" });
    assert.equal(response.status, 202);
    assert.equal(body.status, "queued", "answered after admission; APIPod is called after the response");
    assert.equal(body.in_progress, true);
    assert.equal(await balance(worker, user.session), 106);

    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    assert.equal(done.images.length, 1);
    const [image] = done.images;
    // Seedream's default 2K at 16:9: the stand-in returns the real 4 MP size, a PNG of several MB.
    assert.deepEqual([image.width, image.height, image.content_type], [2736, 1536, "image/png"]);
    assert.ok(image.size_bytes > 4_000_000, `a real-size result weighs MBs (${image.size_bytes} bytes)`);

    const { submissions, tasks: [task] } = apipodSaw(worker, "A lighthouse at dusk");
    assert.equal(task.input.model, "seedream-v4.5");
    assert.equal(task.input.aspect_ratio, "16:9");
    assert.equal(task.input.quality, "2K", "the documented default quality is sent");
    assert.equal(task.input.n, undefined, "n is documented only for WAN models");
    assert.match(task.input.callback_url, new RegExp(`^${worker.url}/webhooks/apipod/${body.id}/[0-9a-f]{64}$`));
    assert.equal(submissions.length, 1);
    assert.equal(submissions[0].idempotencyKey, `gptimg-${body.id}`);
    const served = await worker.fetch(image.url, { headers: asUser(worker, user.session) });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/png");
    assert.match(served.headers.get("cache-control"), /private/);
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(task.png), "served bytes equal the stand-in's");
    const all = await waitFor(async () => {
      const listed = await r2Keys(worker, `generations/${user.id}/${body.id}/`);
      return listed.length === 3 && listed;
    }, 15_000, "the original, its medium and its preview");
    const keys = all.filter((key) => !key.endsWith(".webp"));
    assert.equal(keys.length, 1);
    const stored = await worker.bucket.get(keys[0]);
    assert.ok(Buffer.from(await stored.arrayBuffer()).equals(task.png), "R2 holds the same bytes");
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal(await balance(worker, user.session), 106);
  });

  test("the APIPod submission carries the response's request id as x-request-id", async () => {
    const user = await newUser({ pack: true });
    const { response } = await generate(worker, user.session, { prompt: "A traced harbour", model: "seedream-v4.5", aspect_ratio: "1:1" });
    assert.equal(response.status, 202);
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    await submittedTask(worker, "A traced harbour");
    const { submissions } = apipodSaw(worker, "A traced harbour");
    assert.equal(submissions.length, 1);
    assert.equal(submissions[0].requestId, requestId);
  });

  test("the 202 answer is what a read returns until the submit lands; the invocation makes 3 D1 round trips", async () => {
    const user = await newUser({ pack: true });
    const prompt = "A heron [apipod:stall] [apipod-submit-delay:300]";
    const response = await worker.fetch("/api/generations", {
      method: "POST",
      headers: asUser(worker, user.session, { "content-type": "application/json", "x-request-id": "generation-trips-1" }),
      body: JSON.stringify({ prompt, model: "nano-banana-2", aspect_ratio: "4:3" }),
    });
    assert.equal(response.status, 202);
    const started = await response.json();
    assert.equal(started.generations.length, 1);
    const [answered] = started.generations;
    assert.equal(answered.status, "queued");
    assert.deepEqual(await getGeneration(worker, user.session, answered.id), answered, "built without reading it back");
    await submittedTask(worker, prompt);
    const running = await waitFor(async () => { const g = await getGeneration(worker, user.session, answered.id); return g.status === "running" && g; }, 5000, "running");
    assert.deepEqual(running, { ...answered, status: "running" });
    const deadline = Date.now() + 3000;
    let line;
    while (!(line = worker.jsonLogs().find((l) => l.request_id === "generation-trips-1" && l.msg === "request")) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(line.status, 202);
    assert.equal(line.d1_round_trips, 3, "session, admission-and-debit batch, then (after the response) mark running");
    assert.deepEqual([line.fetches, line.queue_sends], [1, 1], "the submit and its first poll, in the same invocation");
  });

  test("reference images go to the edit model through signed links APIPod can fetch", async () => {
    const user = await newUser({ pack: true });
    const bytes = reference();
    const uploaded = await upload(worker, user.session, bytes);
    assert.equal(uploaded.response.status, 201);
    assert.deepEqual([uploaded.body.content_type, uploaded.body.width, uploaded.body.height], ["image/png", 64, 48]);
    assert.match(uploaded.body.sha256, /^[0-9a-f]{64}$/);
    const { response, body } = await generate(worker, user.session, { prompt: "Make it blue", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [uploaded.body.id] });
    assert.equal(response.status, 202);
    await submittedTask(worker, "Make it blue");
    const [submission] = apipodSaw(worker, "Make it blue").submissions;
    assert.equal(submission.input.model, "seedream-v4.5-edit", "image-to-image is the -edit model on /v1/images/generations");
    assert.equal(submission.input.image_urls.length, 1);
    assert.equal(submission.input.quality, "2K");
    assert.equal(submission.references.length, 1);
    assert.equal(submission.references[0].status, 200);
    assert.ok(submission.references[0].bytes.equals(bytes), "APIPod received the uploaded bytes");
    assert.equal((await settled(worker, user.session, body.id)).status, "succeeded");

    const link = new URL(submission.references[0].url);
    const forged = new URL(link);
    forged.searchParams.set("sig", "0".repeat(64));
    assert.equal((await fetch(forged)).status, 404, "a forged signature is refused");
    const expired = new URL(link);
    expired.searchParams.set("exp", "1000");
    assert.equal((await fetch(expired)).status, 404, "an altered expiry is refused");
  });

  test("Nano Banana 2 takes references on the same model id, at the quality asked for and its price", async () => {
    const user = await newUser({ pack: true });
    const uploaded = await upload(worker, user.session, reference());
    const { response, body } = await generate(worker, user.session, { prompt: "Banana edit", model: "nano-banana-2", aspect_ratio: "21:9", quality: "4K", reference_upload_ids: [uploaded.body.id] });
    assert.equal(response.status, 202);
    assert.deepEqual([body.quality, body.cost], ["4K", 5]);
    await submittedTask(worker, "Banana edit");
    const [submission] = apipodSaw(worker, "Banana edit").submissions;
    assert.deepEqual([submission.input.model, submission.input.quality, submission.input.aspect_ratio], ["nano-banana-2", "4K", "21:9"]);
    assert.equal(submission.references[0].status, 200, "APIPod could fetch the reference");
    assert.equal((await settled(worker, user.session, body.id)).status, "succeeded");
    assert.equal(await balance(worker, user.session), 105);
    assert.ok(!worker.fakes.apipod.state.answers.some((a) => a.status === 404), "nothing went to an undocumented route");
  });
});

describe("every failure mode ends failed, refunded exactly once, with nothing left in R2", () => {
  const MODES = {
    fail: "provider_failed",
    fail_legacy: "provider_failed",
    cancel: "provider_cancelled",
    malformed: "malformed_answer",
    result404: "result_unavailable",
    notimage: "result_not_image",
    submit400: "submit_failed",
  };

  async function assertRefundedOnce(user, generation, code) {
    assert.equal(generation.status, "failed");
    assert.equal(generation.failure.code, code);
    assert.match(generation.failure.message, /refunded/);
    assert.deepEqual(await ledgerFor(worker, generation.id), [{ kind: "generation_debit", amount: -4 }, { kind: "generation_refund", amount: 4 }]);
    assert.equal(await balance(worker, user.session), 110);
    assert.deepEqual(await r2Keys(worker, `generations/${user.id}/${generation.id}/`), []);
  }

  for (const [mode, code] of Object.entries(MODES)) {
    test(`${mode} → ${code}`, async () => {
      const user = await newUser({ pack: true });
      const { response, body } = await generate(worker, user.session, { prompt: `A cat [apipod:${mode}]`, model: "seedream-v4.5", aspect_ratio: "1:1" });
      assert.equal(response.status, 202);
      const done = await settled(worker, user.session, body.id);
      await assertRefundedOnce(user, done, code);
      if (mode === "fail") {
        assert.equal(done.failure.message, "The image service could not generate this image. The service said: “Content policy violation: the prompt was refused.” Your credits were refunded.", "the provider's text, sanitised");
      }
      if (mode === "fail_legacy") assert.match(done.failure.message, /“The upstream model refused this prompt\.”/);
      await worker.runCron();
      await assertRefundedOnce(user, await getGeneration(worker, user.session, body.id), code);
    });
  }

  test("stall past the deadline → timed_out, settled by the cron sweep even if nobody watches", async () => {
    const user = await newUser({ pack: true });
    const { body } = await generate(worker, user.session, { prompt: "A dog [apipod:stall]", model: "seedream-v4.5", aspect_ratio: "1:1" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await getGeneration(worker, user.session, body.id)).status, "running");
    await worker.db.prepare("UPDATE generations SET deadline_at = ? WHERE id = ?").bind(Date.now() - 1, body.id).run();
    await worker.runCron();
    await worker.runCron();
    await assertRefundedOnce(user, await getGeneration(worker, user.session, body.id), "timed_out");
  });

  test("a submission that never answers is retried with the same Idempotency-Key, then fails and refunds once", async () => {
    const user = await newUser({ pack: true });
    const started = Date.now();
    const { response, body } = await generate(worker, user.session, { prompt: "A fox [apipod:timeout]", model: "seedream-v4.5", aspect_ratio: "1:1" });
    assert.equal(response.status, 202);
    assert.ok(Date.now() - started < 12_000, "the request gives up on APIPod within its timeout");
    assert.equal(body.status, "queued", "the retry happens from the queue");
    // Each attempt is cut at its 8 s deadline and retried (APIPod may have the task) while the window lasts.
    await waitFor(() => apipodSaw(worker, "A fox [apipod:timeout]").submissions.length >= 3, 40_000, "three attempts");
    assert.equal((await getGeneration(worker, user.session, body.id)).status, "queued", "not failed while it may still start");
    // Once the submit window (five minutes from admission) has passed, the next attempt is the last.
    await worker.db.prepare("UPDATE generations SET created_at = created_at - 360000 WHERE id = ?").bind(body.id).run();
    const done = await settled(worker, user.session, body.id, 45_000);
    await assertRefundedOnce(user, done, "submit_failed");
    const { submissions } = apipodSaw(worker, "A fox [apipod:timeout]");
    assert.ok(submissions.length >= 4, `${submissions.length} attempts`);
    assert.ok(submissions.every((s) => s.idempotencyKey === `gptimg-${body.id}`));
    assert.equal(new Set(submissions.map((s) => JSON.stringify(s.input))).size, 1, "the same body every time");
  });

  test("a duplicate poll delivery after success stores nothing twice and charges nothing more", async () => {
    const user = await newUser({ pack: true });
    const { body } = await generate(worker, user.session, { prompt: "A duplicate owl", model: "seedream-v4.5", aspect_ratio: "1:1" });
    const done = await settled(worker, user.session, body.id);
    const queue = await worker.mf.getQueueProducer("GENERATION_QUEUE");
    for (let attempt = 0; attempt < 4; attempt++) await queue.send({ generation_id: body.id, attempt });
    await worker.runCron();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const ids = (g) => g.images.map((image) => [image.id, image.url]);
    assert.deepEqual(ids(await getGeneration(worker, user.session, body.id)), ids(done));
    assert.equal(await count(worker.db, "generation_images", "generation_id = ?", body.id), 1);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal((await r2Keys(worker, `generations/${user.id}/${body.id}/`)).length, 3, "one original, one medium, one preview");
  });
});

describe("money under concurrency and limits", () => {
  test("20 concurrent requests with credits for 5: exactly 5 accepted, balance 0, never below", async () => {
    const user = await newUser();
    assert.equal(await balance(worker, user.session), 10);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      generate(worker, user.session, { prompt: `Race ${i}`, model: "nano-banana-2", aspect_ratio: "1:1" })));
    const statuses = results.map((r) => r.response.status);
    assert.equal(statuses.filter((s) => s === 202).length, 5);
    assert.equal(statuses.filter((s) => s === 402).length, 15);
    const refused = results.find((r) => r.response.status === 402).body.error;
    assert.equal(refused.code, "insufficient_credits");
    assert.deepEqual(refused.details, { balance: 0, cost: 2 });
    assert.equal(await balance(worker, user.session), 0);
    const { n } = await worker.db.prepare("SELECT MIN(balance_after) AS n FROM credit_ledger WHERE account_id = ?").bind(user.id).first();
    assert.equal(n, 0);
    for (const r of results.filter((r) => r.response.status === 202)) await settled(worker, user.session, r.body.id);
  });

  test("too many generations in flight is a 429 with Retry-After, and charges nothing", async () => {
    const user = await newUser({ pack: true });
    for (let i = 0; i < 6; i++) {
      const { response } = await generate(worker, user.session, { prompt: `Slow ${i} [apipod:stall]`, model: "nano-banana-2", aspect_ratio: "1:1" });
      assert.equal(response.status, 202);
    }
    const before = await balance(worker, user.session);
    const { response, body } = await generate(worker, user.session, { prompt: "One more", model: "nano-banana-2", aspect_ratio: "1:1" });
    assert.equal(response.status, 429);
    assert.equal(body.error.code, "too_many_in_flight");
    assert.ok(Number(response.headers.get("retry-after")) > 0);
    assert.equal(await balance(worker, user.session), before);
  });

  test("more than 12 generations a minute is a 429 with Retry-After", async () => {
    const user = await newUser({ pack: true });
    for (let i = 0; i < 12; i++) {
      const { response, body } = await generate(worker, user.session, { prompt: `Quick ${i} [apipod:submit400]`, model: "nano-banana-2", aspect_ratio: "1:1" });
      assert.equal(response.status, 202);
      // Failed (and so no longer in flight) once the submit after the response has been refused.
      assert.equal((await settled(worker, user.session, body.id)).status, "failed");
    }
    const { response, body } = await generate(worker, user.session, { prompt: "Thirteenth", model: "nano-banana-2", aspect_ratio: "1:1" });
    assert.equal(response.status, 429);
    assert.equal(body.error.code, "rate_limited");
    assert.ok(Number(response.headers.get("retry-after")) >= 1);
    assert.equal(await balance(worker, user.session), 110, "the refused request cost nothing and the failed ones were refunded");
  });

  test("invalid requests are 4xx with named codes and charge nothing", async () => {
    const user = await newUser();
    const cases = [
      [{ prompt: "  ", model: "nano-banana-2", aspect_ratio: "1:1" }, 422, "prompt_empty"],
      [{ prompt: "x".repeat(4001), model: "nano-banana-2", aspect_ratio: "1:1" }, 422, "prompt_too_long"],
      [{ prompt: "bad\u0007bell", model: "nano-banana-2", aspect_ratio: "1:1" }, 422, "prompt_invalid_characters"],
      [{ prompt: "ok", model: "dall-e-9", aspect_ratio: "1:1" }, 422, "unknown_model"],
      [{ prompt: "ok", model: "nano-banana-2", aspect_ratio: "7:3" }, 422, "unsupported_aspect_ratio"],
      [{ prompt: "ok", model: "nano-banana-2", aspect_ratio: "1:1", reference_upload_ids: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }, 422, "too_many_references"],
      [{ prompt: "ok", model: "nano-banana-2", aspect_ratio: "1:1", quality: "8K" }, 422, "unsupported_quality"],
      [{ prompt: "x".repeat(3994), model: "nano-banana-2", aspect_ratio: "1:1" }, 422, "prompt_too_long"],
      [{ prompt: "ok", model: "nano-banana-2", aspect_ratio: "1:1", reference_upload_ids: ["upl_0123456789abcdefghjkmnpqrs"] }, 404, "upload_not_found"],
      [{ prompt: "ok", model: "nano-banana" }, 400, "invalid_request_body"],
    ];
    for (const [body, status, code] of cases) {
      const result = await generate(worker, user.session, body);
      assert.equal(result.response.status, status, code);
      assert.equal(result.body.error.code, code);
    }
    assert.equal(await balance(worker, user.session), 10);
    assert.equal(await count(worker.db, "generations", "account_id = ?", user.id), 0);
  });
});

describe("the gallery, images and sharing", () => {
  let owner;
  let stranger;
  let done;
  before(async () => {
    owner = await newUser({ pack: true });
    stranger = await newUser({ pack: true });
    const first = await generate(worker, owner.session, { prompt: "First picture", model: "nano-banana-2", aspect_ratio: "1:1" });
    await settled(worker, owner.session, first.body.id);
    const second = await generate(worker, owner.session, { prompt: "Second picture", model: "nano-banana-2", aspect_ratio: "4:3" });
    done = await settled(worker, owner.session, second.body.id);
  });

  test("lists newest first with cursor paging, only the owner's", async () => {
    const page = async (session, query = "") => (await worker.fetch(`/api/generations${query}`, { headers: asUser(worker, session) })).json();
    const all = await page(owner.session);
    assert.deepEqual(all.generations.map((g) => g.prompt), ["Second picture", "First picture"]);
    const first = await page(owner.session, "?limit=1");
    assert.equal(first.generations[0].prompt, "Second picture");
    const second = await page(owner.session, `?limit=1&cursor=${first.next_cursor}`);
    assert.equal(second.generations[0].prompt, "First picture");
    assert.equal(second.next_cursor, null);
    assert.deepEqual((await page(stranger.session)).generations, []);
  });

  test("images support ETag revalidation and byte ranges", async () => {
    const url = done.images[0].url;
    const full = await worker.fetch(url, { headers: asUser(worker, owner.session) });
    const etag = full.headers.get("etag");
    const bytes = Buffer.from(await full.arrayBuffer());
    assert.ok(etag);
    const revalidated = await worker.fetch(url, { headers: asUser(worker, owner.session, { "if-none-match": etag }) });
    assert.equal(revalidated.status, 304);
    const ranged = await worker.fetch(url, { headers: asUser(worker, owner.session, { range: "bytes=0-9" }) });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), `bytes 0-9/${bytes.length}`);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 10)));
    const beyond = await worker.fetch(url, { headers: asUser(worker, owner.session, { range: `bytes=${bytes.length}-` }) });
    assert.equal(beyond.status, 416);
  });

  test("another user's generation, image and upload are 404", async () => {
    const id = done.id;
    for (const [method, path] of [["GET", `/api/generations/${id}`], ["DELETE", `/api/generations/${id}`], ["POST", `/api/generations/${id}/share`], ["DELETE", `/api/generations/${id}/share`], ["GET", done.images[0].url]]) {
      const response = await worker.fetch(path, { method, headers: asUser(worker, stranger.session) });
      assert.equal(response.status, 404, `${method} ${path}`);
    }
    assert.equal((await worker.fetch(done.images[0].url)).status, 404, "anonymous");
    const ownersUpload = await upload(worker, owner.session, reference());
    const before = await balance(worker, stranger.session);
    const attempt = await generate(worker, stranger.session, { prompt: "steal", model: "seedream-v4.5", aspect_ratio: "1:1", reference_upload_ids: [ownersUpload.body.id] });
    assert.equal(attempt.response.status, 404);
    assert.equal(attempt.body.error.code, "upload_not_found");
    assert.equal(await balance(worker, stranger.session), before);
  });

  test("a share link works for anyone until the owner revokes it", async () => {
    const shared = await (await worker.fetch(`/api/generations/${done.id}/share`, { method: "POST", headers: asUser(worker, owner.session) })).json();
    assert.equal(shared.shared, true);
    const shareUrl = new URL(shared.images[0].share_url);
    assert.match(shareUrl.searchParams.get("share"), /^[0-9a-z]{26}$/);
    // Share pages use the medium, under the version the owner's medium URL has.
    const ownersMedium = new URL(done.images[0].medium_url, worker.url);
    assert.deepEqual([shareUrl.searchParams.get("size"), shareUrl.searchParams.get("v")], ["medium", ownersMedium.searchParams.get("v")]);
    assert.ok(ownersMedium.searchParams.get("v"), "the medium existed when the generation was reported succeeded");
    const again = await (await worker.fetch(`/api/generations/${done.id}/share`, { method: "POST", headers: asUser(worker, owner.session) })).json();
    assert.equal(again.images[0].share_url, shared.images[0].share_url, "sharing twice keeps one link");
    const path = shareUrl.pathname + shareUrl.search;
    const viaShare = await worker.fetch(path);
    assert.equal(viaShare.status, 200);
    assert.equal(viaShare.headers.get("content-type"), "image/webp", "anyone with the link gets the WebP medium");
    assert.equal((await worker.fetch(path.replace(/share=\w+/, "share=" + "0".repeat(26)))).status, 404);
    const revoke = await worker.fetch(`/api/generations/${done.id}/share`, { method: "DELETE", headers: asUser(worker, owner.session) });
    assert.equal(revoke.status, 204);
    assert.equal((await worker.fetch(path)).status, 404, "revoked");
    assert.equal((await worker.fetch(done.images[0].url, { headers: asUser(worker, owner.session) })).status, 200, "the owner still sees it");
  });

  test("deleting removes the record and its R2 objects but keeps the ledger; a running one is 409", async () => {
    const user = await newUser({ pack: true });
    const { body } = await generate(worker, user.session, { prompt: "To delete", model: "nano-banana-2", aspect_ratio: "1:1" });
    const finished = await settled(worker, user.session, body.id);
    assert.equal((await r2Keys(worker, `generations/${user.id}/${body.id}/`)).length, 3, "the original and its renditions, stored before success");
    const response = await worker.fetch(`/api/generations/${body.id}`, { method: "DELETE", headers: asUser(worker, user.session) });
    assert.equal(response.status, 204);
    assert.equal((await worker.fetch(`/api/generations/${body.id}`, { headers: asUser(worker, user.session) })).status, 404);
    assert.equal((await worker.fetch(finished.images[0].url, { headers: asUser(worker, user.session) })).status, 404);
    assert.deepEqual(await r2Keys(worker, `generations/${user.id}/${body.id}/`), []);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -2 }]);

    const running = await generate(worker, user.session, { prompt: "Still going [apipod:stall]", model: "nano-banana-2", aspect_ratio: "1:1" });
    const conflict = await worker.fetch(`/api/generations/${running.body.id}`, { method: "DELETE", headers: asUser(worker, user.session) });
    assert.equal(conflict.status, 409);
  });
});

describe("uploads", () => {
  test("too large 413, wrong type or text named .png 415, truncated 422; nothing stored", async () => {
    const user = await newUser();
    const png = reference();
    const cases = [
      [Buffer.alloc(11 * 1024 * 1024, 1), 413, "image_too_large"],
      [Buffer.from("definitely not an image, just text in cat.png"), 415, "unsupported_image_type"],
      [Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 415, "unsupported_image_type"],
      [png.subarray(0, png.length - 20), 422, "image_unreadable"],
    ];
    for (const [bytes, status, code] of cases) {
      const { response, body } = await upload(worker, user.session, bytes);
      assert.equal(response.status, status, code);
      assert.equal(body.error.code, code);
    }
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
  });

  test("uploads need a session and the site's origin", async () => {
    assert.equal((await worker.fetch("/api/uploads", { method: "POST", headers: { origin: worker.url }, body: reference() })).status, 401);
    const user = await newUser();
    const crossSite = await worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, user.session, { origin: "https://evil.example" }), body: reference() });
    assert.equal(crossSite.status, 403);
  });

  test("the model catalogue is public and hides APIPod ids", async () => {
    const { models } = await (await worker.fetch("/api/models")).json();
    assert.deepEqual(models.map((m) => [m.id, m.credits_per_image]), [["seedream-v4.5", 4], ["nano-banana-2", 2], ["nano-banana-pro", 4]]);
    assert.ok(models.every((m) => m.apipod_model === undefined && m.edit_model === undefined && m.aspect_ratios.length > 0));
    assert.deepEqual(models.map((m) => [m.qualities, m.default_quality]), [[["2K", "4K"], "2K"], [["1K", "2K", "4K"], "1K"], [["1K", "2K", "4K"], "1K"]]);
    assert.deepEqual(models[1].quality_credits, { "2K": 3, "4K": 5 });
  });
});

describe("the APIPod stand-in", () => {
  test("answered everything in this file in documented shapes only", () => {
    const matched = checkApipodAnswers(worker.fakes.apipod.state.answers);
    assert.ok(matched["submit-success-code200.json"] > 0 && matched["status-completed-legacy.json"] > 0, JSON.stringify(matched));
  });
});

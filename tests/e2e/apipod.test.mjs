// End-to-end: APIPod as documented — callbacks (duplicate, forged, bad token), idempotent submission retries,
// 429 Retry-After on submit and poll, and every answer of the stand-in checked against the contract fixtures.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { useWorker } from "../support/worker.mjs";
import { TEST_SECRETS } from "../support/env.mjs";
import { count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, getGeneration, settled, ledgerFor, r2Keys, generationRow, apipodSaw, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";

const worker = useWorker({ before, after });

const newUser = () => newPerson(worker, { label: "caller", pack: true });

const callbackToken = (id) => crypto.createHmac("sha256", TEST_SECRETS.SESSION_SECRET).update(`apipod-callback-v1\0${id}`).digest("hex");
const callbacksFor = (taskId) => worker.fakes.apipod.state.callbacks.filter((c) => c.taskId === taskId);
const statusReadsFor = (taskId) => worker.fakes.apipod.state.statusRequests.filter((r) => r.taskId === taskId);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(user, prompt, extra = {}) {
  const { response, body } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1", ...extra });
  assert.equal(response.status, 202);
  return body;
}

describe("callbacks", () => {
  test("callback, duplicate callback, then poll: finished once, each callback answered at once, one status read per claim", async () => {
    const user = await newUser();
    const prompt = "Twice told [apipod:callback_twice]";
    const body = await start(user, prompt);
    const task = await submittedTask(worker, prompt);
    await waitFor(() => callbacksFor(task.id).length === 2 && callbacksFor(task.id).every((c) => c.status), 10_000, "two callbacks");
    // The first callback claims the generation and is answered before the results are stored (after the answer).
    // The stand-in sends the duplicate as soon as it has that answer: if the first is still storing, the duplicate
    // reads the status again and takes the claim over (the latest claim wins, holes-storage.test.mjs); if the first
    // has settled, there is nothing to do.
    const deliveries = callbacksFor(task.id);
    assert.deepEqual(deliveries.map((c) => c.status), [200, 200]);
    assert.equal(deliveries[0].body.outcome, "finished");
    assert.ok(["finished", "already_handled", "not_running"].includes(deliveries[1].body.outcome), deliveries[1].body.outcome);
    const claims = deliveries.filter((c) => c.body.outcome === "finished").length;
    const looked = deliveries.filter((c) => c.body.outcome !== "not_running").length;
    const settledLines = () => worker.jsonLogs().filter((l) => l.msg === "generation_settled" && l.fields?.generation_id === body.id).map((l) => l.fields);
    await waitFor(() => settledLines().length === claims, 15_000, "every claim settled");
    assert.deepEqual(settledLines().map((e) => e.won).sort(), claims === 2 ? [false, true] : [true], "exactly one finisher wins");
    assert.equal(settledLines().find((e) => e.won).attempt, Math.max(...settledLines().map((e) => e.attempt)), "the latest claim wins");
    const finished = await generationRow(worker, body.id);
    assert.equal(finished.status, "succeeded");
    assert.ok(finished.finished_at - task.completedAt < 5000, "stored with its renditions within seconds of APIPod's completion");

    // The queued poll arrives later and finds nothing to do; a poll for the current attempt neither.
    await sleep(1500);
    const queue = await worker.mf.getQueueProducer("GENERATION_QUEUE");
    await queue.send({ generation_id: body.id, attempt: finished.poll_attempts });
    await sleep(1000);
    assert.deepEqual(await generationRow(worker, body.id), finished, "no later change to the row");
    assert.equal(statusReadsFor(task.id).length, looked, "one status read per callback that found it running; no poll read it");
    assert.equal(await count(worker.db, "generation_images", "generation_id = ?", body.id), 1);
    const image = await worker.db.prepare("SELECT r2_key, medium_key, preview_key FROM generation_images WHERE generation_id = ?").bind(body.id).first();
    const keys = await r2Keys(worker, `generations/${user.id}/${body.id}/`);
    assert.deepEqual(keys.sort(), [image.r2_key, image.medium_key, image.preview_key].sort(), "the winner's original and renditions, nothing of a loser");
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal(await balance(worker, user.session), 106);
  });

  test("a failure reported by callback refunds once; its duplicate and the poll change nothing", async () => {
    const user = await newUser();
    const body = await start(user, "Refused twice [apipod:fail]");
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.failure.code, "provider_failed");
    assert.match(done.failure.message, /Content policy violation: the prompt was refused\./);
    await sleep(1500);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }, { kind: "generation_refund", amount: 4 }]);
    assert.equal(await balance(worker, user.session), 110);
  });

  test("a forged callback for a task still running changes nothing", async () => {
    const user = await newUser();
    const prompt = "Not yet [apipod:callback_early]";
    const body = await start(user, prompt);
    const task = await submittedTask(worker, prompt);
    const early = await waitFor(() => callbacksFor(task.id).find((c) => c.status), 5000, "the early callback");
    assert.deepEqual([early.status, early.body.outcome, early.payload.status], [200, "still_running", "completed"]);

    const url = new URL(task.input.callback_url);
    const forged = await worker.fetch(url.pathname, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ task_id: task.id, status: "completed", result: ["https://evil.example/x.png"] }) });
    assert.equal(forged.status, 200);
    assert.equal((await forged.json()).outcome, "still_running");
    const generation = await getGeneration(worker, user.session, body.id);
    assert.deepEqual([generation.status, generation.images.length], ["running", 0]);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal(await balance(worker, user.session), 106);
  });

  test("a wrong token, an unknown generation or a bad id is 404; other methods 405; a huge body 413", async () => {
    const user = await newUser();
    const body = await start(user, "Guarded [apipod:stall]");
    await waitFor(async () => (await generationRow(worker, body.id)).status === "running", 5000, "the submit to land");
    const post = (path, init = {}) => worker.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}", ...init });
    const before = await generationRow(worker, body.id);
    for (const path of [`/webhooks/apipod/${body.id}/${"0".repeat(64)}`, `/webhooks/apipod/${body.id}/${callbackToken(body.id).slice(1)}`,
      `/webhooks/apipod/gen_00000000000000000000000000/${callbackToken("gen_00000000000000000000000000")}`, `/webhooks/apipod/nope/${callbackToken("nope")}`]) {
      const response = await post(path);
      assert.equal(response.status, 404, path);
      assert.equal((await response.json()).error.code, "callback_not_found");
    }
    assert.equal((await worker.fetch(`/webhooks/apipod/${body.id}/${callbackToken(body.id)}`)).status, 405);
    const huge = await post(`/webhooks/apipod/${body.id}/${callbackToken(body.id)}`, { body: JSON.stringify({ pad: "x".repeat(70_000) }) });
    assert.equal(huge.status, 413);
    const after = await generationRow(worker, body.id);
    assert.equal(after.status, "running");
    assert.equal(after.apipod_task_id, before.apipod_task_id);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
  });
});

describe("idempotent submission", () => {
  test("a submit that times out is retried with the same Idempotency-Key and starts ONE task", async () => {
    const user = await newUser();
    const prompt = "Slow answer [apipod:hang_once]";
    const body = await start(user, prompt);
    assert.equal(body.status, "queued");
    const done = await settled(worker, user.session, body.id, 30_000);
    assert.equal(done.status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.ok(submissions.length >= 2, "retried");
    assert.ok(submissions.every((s) => s.idempotencyKey === `gptimg-${body.id}`), "one key");
    assert.equal(tasks.length, 1, "one paid task");
    assert.equal(await count(worker.db, "generation_images", "generation_id = ?", body.id), 1);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
  });

  test("a dropped connection is retried at once with the same key: one task, the original answer replayed", async () => {
    const user = await newUser();
    const prompt = "Lost answer [apipod:drop_once]";
    const body = await start(user, prompt);
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 2);
    assert.equal(submissions[1].replayed, true);
    assert.equal(tasks.length, 1);
    assert.equal((await generationRow(worker, body.id)).apipod_task_id, tasks[0].id);
  });

  test("409 idempotency_conflict fails and refunds with a clear reason", async () => {
    const user = await newUser();
    const body = await start(user, "Conflicted [apipod:conflict]");
    assert.equal(body.status, "queued", "the 202 comes before APIPod's answer");
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "failed");
    assert.equal(done.failure.code, "idempotency_conflict");
    assert.match(done.failure.message, /refused to start this generation twice/);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }, { kind: "generation_refund", amount: 4 }]);
    assert.equal(await balance(worker, user.session), 110);
  });
});

describe("rate limits", () => {
  test("a 429 on submit waits for Retry-After, then starts one task", async () => {
    const user = await newUser();
    const prompt = "Busy [apipod:submit429]";
    const body = await start(user, prompt);
    assert.equal(body.status, "queued");
    assert.equal((await settled(worker, user.session, body.id)).status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 2);
    assert.ok(submissions[1].at - submissions[0].at >= 1900, `retried after ${submissions[1].at - submissions[0].at} ms`);
    assert.equal(tasks.length, 1);
  });

  test("a 429 on a status read delays the next poll by its Retry-After", async () => {
    const user = await newUser();
    const prompt = "Polled slowly [apipod:poll429]";
    const body = await start(user, prompt);
    assert.equal((await settled(worker, user.session, body.id)).status, "succeeded");
    const [task] = apipodSaw(worker, prompt).tasks;
    const [limited, next] = statusReadsFor(task.id);
    assert.ok(next.at - limited.at >= 2900, `next poll ${next.at - limited.at} ms after the 429`);
    assert.equal(callbacksFor(task.id).length, 0, "found by polling");
  });
});

describe("the stand-in speaks only the documented contract", () => {
  const apipod = (path, init = {}) => fetch(`${worker.fakes.url}/apipod${path}`, {
    ...init, headers: { authorization: `Bearer ${TEST_SECRETS.APIPOD_API_KEY}`, "content-type": "application/json", ...init.headers },
  });
  const submitDirect = (body, headers = {}) => apipod("/v1/images/generations", { method: "POST", body: JSON.stringify(body), headers });

  test("its refusals use the documented statuses, codes and envelopes", async () => {
    const cases = [
      [await apipod("/v1/images/status/x", { headers: { authorization: "Bearer wrong" } }), 401, (b) => b.error.code, "invalid_api_key"],
      [await submitDirect({ model: "nano-banana", prompt: "x" }), 404, (b) => b.data.error_code, "model_not_available"],
      [await submitDirect({ model: "seedream-v4.5-edit", prompt: "x" }), 400, (b) => b.error.code, "invalid_request"],
      [await submitDirect({ model: "seedream-v4.5", prompt: "x", quality: "1K" }), 400, (b) => b.error.code, "invalid_request"],
      [await apipod("/v1/images/edits", { method: "POST", body: "{}" }), 404, (b) => b.error.code, "invalid_request"],
    ];
    for (const [response, status, code, expected] of cases) {
      assert.equal(response.status, status);
      assert.equal(code(await response.json()), expected);
    }
    const first = await submitDirect({ model: "seedream-v4.5", prompt: "keyed", quality: "2K" }, { "idempotency-key": "k-1" });
    const again = await submitDirect({ model: "seedream-v4.5", prompt: "keyed", quality: "2K" }, { "idempotency-key": "k-1" });
    assert.deepEqual(await again.json(), await first.json(), "same key and body: same answer");
    const other = await submitDirect({ model: "seedream-v4.5", prompt: "keyed differently", quality: "2K" }, { "idempotency-key": "k-1" });
    assert.deepEqual([other.status, (await other.json()).error.code], [409, "idempotency_conflict"]);
    assert.equal(apipodSaw(worker, "keyed").tasks.length, 1);
    const zero = await (await submitDirect({ model: "seedream-v4.5", prompt: "old docs [apipod:code0]" })).json();
    assert.equal(zero.code, 0);
    const pending = await (await apipod(`/v1/images/status/${zero.data.task_id}`)).json();
    assert.deepEqual(pending, { code: 200, message: "success", data: { task_id: zero.data.task_id, status: "pending" } });
  });

  test("every answer and callback it sent in this file has the shape of a documented fixture", async () => {
    const user = await newUser();
    await settled(worker, user.session, (await start(user, "Legacy failure [apipod:fail_legacy]")).id);
    const matched = checkApipodAnswers(worker.fakes.apipod.state.answers);
    // The code-0 and code-200 submit answers share one shape, as do the two OpenAI-style errors.
    for (const name of ["submit-success-code200.json", "status-pending.json", "status-processing.json", "status-completed-legacy.json",
      "status-failed.json", "status-failed-legacy.json", "error-openai-401.json", "error-envelope-429.json", "callback-completed.json", "callback-failed.json"]) {
      assert.ok(matched[name] > 0, `the stand-in used ${name}: ${JSON.stringify(matched)}`);
    }
  });
});

// End-to-end: APIPod's documented transient answers (error-codes.mdx: "Retry 429, 503, and transient 5xx ...
// Reuse the original Idempotency-Key and unchanged body"), an answer lost after APIPod accepted the task, the
// sweep submitting again instead of failing, submits that would not fit in waitUntil's 30 s going through the
// queue, a late callback, oversized references sent as their medium, and one deadline per outbound call that
// covers a download's body (a result that trickles is cut off and downloaded again, never waited for).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, getGeneration, settled, ledgerFor, r2Keys, generationRow, apipodSaw, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";

const worker = useWorker({ before, after });

const newUser = () => newPerson(worker, { label: "caller", pack: true });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const DEBIT = { kind: "generation_debit", amount: -4 };
const REFUND = { kind: "generation_refund", amount: 4 };

async function start(user, prompt, extra = {}) {
  const { response, body, started } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1", ...extra });
  assert.equal(response.status, 202);
  return { body, started, response };
}

/** Every submission of `prompt` carried the generation's one key and the same body. */
function assertOneKeyOneBody(submissions, id) {
  assert.ok(submissions.every((s) => s.idempotencyKey === `gptimg-${id}`), "one Idempotency-Key");
  assert.equal(new Set(submissions.map((s) => JSON.stringify(s.input))).size, 1, "the unchanged body");
}

describe("transient answers at submit are retried with the same Idempotency-Key", () => {
  test("a 503 (idempotency_unavailable) at submit: retried, then succeeded, one task, charged once", async () => {
    const user = await newUser();
    const prompt = "Busy service [apipod:submit503]";
    const { body } = await start(user, prompt);
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded", "a 503 is not a refusal");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 2);
    assertOneKeyOneBody(submissions, body.id);
    assert.equal(tasks.length, 1, "one paid task");
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT]);
    assert.equal(await balance(worker, user.session), 106);
  });

  test("a 504 after APIPod started the task: the retry replays its id — one task, succeeded, charged once", async () => {
    const user = await newUser();
    const prompt = "Edge timeout [apipod:submit504]";
    const { body } = await start(user, prompt);
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 2);
    assertOneKeyOneBody(submissions, body.id);
    assert.equal(submissions.filter((s) => s.replayed).length, 1, "the second got the first one's stored answer");
    assert.equal(tasks.length, 1, "the answer was lost, not the task: no second one");
    assert.equal((await generationRow(worker, body.id)).apipod_task_id, tasks[0].id);
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT]);
  });

  test("500 on every submit: retried with backoff while the window lasts (queued, not failed), then failed and refunded exactly once", async () => {
    const user = await newUser();
    const prompt = "Always broken [apipod:submit500]";
    const { body } = await start(user, prompt);
    await waitFor(() => apipodSaw(worker, prompt).submissions.length >= 3, 20_000, "three attempts");
    const waiting = await getGeneration(worker, user.session, body.id);
    assert.equal(waiting.status, "queued", "a 500 on an idempotent request is retried, not failed");
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT], "nothing refunded while it may still start");
    const times = apipodSaw(worker, prompt).submissions.map((s) => s.at);
    assert.ok(times[2] - times[1] >= times[1] - times[0] - 300, "the pauses do not shrink");

    // Five minutes later (the window is counted from admission): the next attempt is the last.
    await worker.db.prepare("UPDATE generations SET created_at = created_at - 360000 WHERE id = ?").bind(body.id).run();
    const done = await settled(worker, user.session, body.id, 30_000);
    assert.deepEqual([done.status, done.failure.code], ["failed", "submit_failed"]);
    assert.match(done.failure.message, /refunded/);
    await worker.runCron();
    await worker.runCron();
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT, REFUND]);
    assert.equal(await balance(worker, user.session), 110);
    assertOneKeyOneBody(apipodSaw(worker, prompt).submissions, body.id);
  });

  test("a documented permanent refusal (400) fails and refunds at once, without a retry", async () => {
    const user = await newUser();
    const prompt = "Refused [apipod:submit400]";
    const { body } = await start(user, prompt);
    const done = await settled(worker, user.session, body.id);
    assert.deepEqual([done.status, done.failure.code], ["failed", "submit_failed"]);
    assert.match(done.failure.message, /Invalid aspect_ratio value/);
    await sleep(1500);
    assert.equal(apipodSaw(worker, prompt).submissions.length, 1, "400: do not retry unchanged");
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT, REFUND]);
  });
});

describe("the cron sweep", () => {
  test("a queued generation whose submit answer was lost is submitted again (same key), not failed: APIPod replays the running task", async () => {
    const user = await newUser();
    const prompt = "Accepted, answer lost [apipod:stall]";
    const { body } = await start(user, prompt);
    const task = await submittedTask(worker, prompt);
    await waitFor(async () => (await generationRow(worker, body.id)).status === "running", 5000, "running");
    // As if the answer had never been recorded and the retry message was lost three minutes ago (a fresh attempt
    // count makes the poll chain's messages stale).
    const threeMinutesAgo = Date.now() - 180_000;
    await worker.db.prepare("UPDATE generations SET status = 'queued', apipod_task_id = NULL, poll_attempts = 50, next_poll_at = ?, created_at = ? WHERE id = ?")
      .bind(threeMinutesAgo, threeMinutesAgo, body.id).run();
    await worker.runCron();
    await waitFor(async () => (await generationRow(worker, body.id)).status === "running", 10_000, "submitted again");
    const row = await generationRow(worker, body.id);
    assert.equal(row.apipod_task_id, task.id, "the same task, replayed for the same key");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(tasks.length, 1, "no second paid task");
    assert.equal(submissions.length, 2);
    assert.ok(submissions[1].replayed);
    assertOneKeyOneBody(submissions, body.id);
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT], "nothing refunded for a task that runs");
  });
});

describe("the platform's 30 s after a response", () => {
  test("submits of a batch that would not finish inside waitUntil's 30 s go through the queue instead of being cut off", async () => {
    const user = await newUser();
    // Each submit takes 6.5 s: the first three fit after the response (starting at 0, 6.5 and 13 s), the fourth
    // (at 19.5 s) would end past 30 s counting its 8 s deadline and the D1 writes around it.
    const prompt = "Slow APIPod, four images [apipod-submit-delay:6500]";
    const { started, response } = await start(user, prompt, { model: "nano-banana-2", n: 4 });
    const ids = started.generations.map((g) => g.id);
    for (const id of ids) assert.equal((await settled(worker, user.session, id, 60_000)).status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(tasks.length, 4);
    const requestId = response.headers.get("x-request-id");
    const afterResponse = new Set(submissions.filter((s) => s.requestId === requestId).map((s) => s.idempotencyKey));
    assert.equal(afterResponse.size, 3, "three submitted after the 202");
    const queued = ids.filter((id) => !afterResponse.has(`gptimg-${id}`));
    assert.equal(queued.length, 1);
    assert.ok(submissions.filter((s) => s.idempotencyKey === `gptimg-${queued[0]}`).every((s) => s.requestId === "-"), "the fourth only from the queue");
    assert.ok(worker.jsonLogs().some((l) => l.msg === "apipod_submit_queued" && l.fields?.generation_id === queued[0]));
    assert.equal(await balance(worker, user.session), 110 - 4 * 2);
  });
});

describe("callbacks", () => {
  test("a callback delivered long after completion: polling finished it first, the late callback changes nothing", async () => {
    const user = await newUser();
    const prompt = "Late news [apipod:callback_late] [apipod-callback-delay:8000]";
    const { body } = await start(user, prompt);
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const task = await submittedTask(worker, prompt);
    const callbacks = () => worker.fakes.apipod.state.callbacks.filter((c) => c.taskId === task.id);
    assert.equal(callbacks().length, 0, "finished before any callback");
    const row = await generationRow(worker, body.id);
    await waitFor(() => callbacks().some((c) => c.status), 10_000, "the late callback answered");
    assert.equal(callbacks()[0].status, 200, "acknowledged, so APIPod stops retrying");
    assert.ok(callbacks()[0].at - task.completedAt >= 7900);
    await sleep(500);
    assert.deepEqual(await generationRow(worker, body.id), row, "no change");
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT]);
  });
});

describe("references", () => {
  test("a generated image over the edit models' 10 MiB cap reaches APIPod as its medium WebP, not the original", async () => {
    const user = await newUser();
    const source = await start(user, "A huge poster [apipod:big_result]");
    const done = await settled(worker, user.session, source.body.id, 60_000);
    const [image] = done.images;
    const row = await worker.db.prepare("SELECT size_bytes, medium_key FROM generation_images WHERE id = ?").bind(image.id).first();
    assert.ok(row.size_bytes > 10 * 1024 * 1024 && row.medium_key, "a 24 MiB original with its medium");
    const prompt = "The poster, smaller";
    await start(user, prompt, { reference_image_ids: [image.id] });
    const submission = await waitFor(() => apipodSaw(worker, prompt).submissions.find((s) => s.taskId), 10_000, "the submission");
    const [reference] = submission.references;
    assert.equal(reference.status, 200);
    assert.ok(reference.bytes.length <= 10 * 1024 * 1024, `${reference.bytes.length} bytes`);
    assert.equal(reference.bytes.subarray(0, 4).toString("latin1"), "RIFF");
    assert.equal(reference.bytes.subarray(8, 12).toString("latin1"), "WEBP");
  });
});

describe("one deadline per outbound call, covering a download's body", () => {
  test("a result that trickles is cut at the download's deadline and downloaded again, then stored once", async () => {
    const user = await newUser();
    const prompt = "Trickling once [apipod:trickle_once]";
    const { body } = await start(user, prompt);
    const task = await submittedTask(worker, prompt);
    const cuts = () => worker.fakes.apipod.state.resultsCut.filter((c) => c.taskId === task.id);
    await waitFor(() => cuts().length >= 1, 40_000, "the first download cut off");
    const held = cuts()[0].at - cuts()[0].startedAt;
    assert.ok(held >= 19_000 && held < 26_000, `the trickling download was held ${held} ms (deadline 20 s)`);
    const done = await settled(worker, user.session, body.id, 30_000);
    assert.equal(done.status, "succeeded", "a cut download is a failed attempt, tried again");
    assert.equal(done.images.length, 1);
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT]);
    assert.ok(worker.jsonLogs().some((l) => l.msg === "result_not_stored" && l.fields?.generation_id === body.id && l.fields?.problem === "Unreachable"));
  });

  test("a result that never finishes: every download cut at its deadline; at the generation's deadline it fails, refunded once, nothing in R2", async () => {
    const user = await newUser();
    const prompt = "Trickling for ever [apipod:trickle_result]";
    const { body } = await start(user, prompt);
    const task = await submittedTask(worker, prompt);
    const cuts = () => worker.fakes.apipod.state.resultsCut.filter((c) => c.taskId === task.id);
    await waitFor(() => cuts().length >= 1, 40_000, "the first download cut off");
    assert.equal((await getGeneration(worker, user.session, body.id)).status, "running", "not failed: it may come on the next try");
    await waitFor(() => worker.fakes.apipod.state.resultRequests.filter((r) => r.taskId === task.id).length >= 2, 15_000, "downloaded again");
    await worker.db.prepare("UPDATE generations SET deadline_at = ? WHERE id = ?").bind(Date.now() - 1, body.id).run();
    await worker.runCron();
    const done = await settled(worker, user.session, body.id, 30_000);
    assert.equal(done.status, "failed");
    assert.ok(["timed_out", "result_unavailable"].includes(done.failure.code), done.failure.code);
    await waitFor(() => cuts().length >= 2, 30_000, "the second download cut off too");
    await sleep(1000);
    assert.deepEqual(await ledgerFor(worker, body.id), [DEBIT, REFUND]);
    assert.deepEqual(await r2Keys(worker, `generations/${user.id}/${body.id}/`), []);
  });
});

describe("the stand-in speaks only the documented contract", () => {
  test("every answer and callback it sent in this file has the shape of a documented fixture", () => {
    const matched = checkApipodAnswers(worker.fakes.apipod.state.answers);
    assert.ok(matched["error-envelope-429.json"] >= 2, "the 503 and 504 envelopes have the documented shape");
  });
});

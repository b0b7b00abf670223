// End-to-end: admission answers before APIPod (issue 15). The 202 goes out right after the D1 admission batch;
// the submit runs after the response (waitUntil) and settles on its own: running, retried from the queue, or
// failed and refunded exactly once.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker, freePort } from "../support/worker.mjs";
import { count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, settled, ledgerFor, generationRow, apipodSaw, submittedTask, waitFor } from "../support/generation-flow.mjs";

const worker = useWorker({ before, after });

const newUser = () => newPerson(worker, { label: "admitted", pack: true });

/** POST /api/generations, timed from the request to the whole answer. */
async function timedGenerate(user, prompt) {
  const started = performance.now();
  const result = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1" });
  return { ...result, ms: performance.now() - started };
}

describe("the 202 does not wait for APIPod", () => {
  test("with APIPod taking 1.5 s to answer a submit, the 202 arrives well before, queued and charged; then it runs and succeeds", async () => {
    const user = await newUser();
    const prompt = "A slow provider [apipod-submit-delay:1500]";
    const { response, body, ms } = await timedGenerate(user, prompt);
    assert.equal(response.status, 202);
    assert.ok(ms < 750, `the 202 took ${ms.toFixed(0)} ms; APIPod's submit takes 1500 ms`);
    assert.deepEqual([body.status, body.in_progress], ["queued", true]);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }], "charged in the admission batch");
    assert.equal(await balance(worker, user.session), 106);
    const [submission] = apipodSaw(worker, prompt).submissions;
    assert.ok(submission, "the submit was sent after the response, without waiting for another request");
    assert.equal((await generationRow(worker, body.id)).status, "queued", "APIPod has not answered yet");

    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 1);
    assert.equal(submissions[0].idempotencyKey, `gptimg-${body.id}`);
    assert.equal(tasks.length, 1);
    assert.equal((await generationRow(worker, body.id)).apipod_task_id, tasks[0].id);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal(await balance(worker, user.session), 106);
  });

  test("a queue retry racing the after-response submit starts no second task: same key, the answer replayed, one image", async () => {
    const user = await newUser();
    const prompt = "Submitted twice at once [apipod-submit-delay:3000]";
    const { response, body } = await timedGenerate(user, prompt);
    assert.equal(response.status, 202);
    // A duplicate delivery of attempt 0 while the first submit is still waiting for APIPod's answer.
    const queue = await worker.mf.getQueueProducer("GENERATION_QUEUE");
    await queue.send({ generation_id: body.id, attempt: 0 });
    await waitFor(() => apipodSaw(worker, prompt).submissions.length === 2, 5000, "both submissions");
    const done = await settled(worker, user.session, body.id);
    assert.equal(done.status, "succeeded");
    await waitFor(() => apipodSaw(worker, prompt).submissions[1].replayed, 8000, "the second submit's answer");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual((await generationRow(worker, body.id)).status, "succeeded", "the late duplicate answer changed nothing");
    const { submissions, tasks } = apipodSaw(worker, prompt);
    assert.equal(submissions.length, 2);
    assert.ok(submissions.every((s) => s.idempotencyKey === `gptimg-${body.id}`), "one Idempotency-Key");
    assert.equal(new Set(submissions.map((s) => JSON.stringify(s.input))).size, 1, "the same body");
    assert.equal(submissions.filter((s) => s.replayed).length, 1, "the second got the first one's answer");
    assert.equal(tasks.length, 1, "one paid task");
    assert.equal(await count(worker.db, "generation_images", "generation_id = ?", body.id), 1);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
  });

  test("a submit APIPod refuses fails and refunds after the 202, exactly once", async () => {
    const user = await newUser();
    const prompt = "Refused at submit [apipod:submit400] [apipod-submit-delay:300]";
    const { response, body } = await timedGenerate(user, prompt);
    assert.equal(response.status, 202);
    assert.equal(body.status, "queued");
    const done = await settled(worker, user.session, body.id);
    assert.deepEqual([done.status, done.failure.code], ["failed", "submit_failed"]);
    await worker.runCron();
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }, { kind: "generation_refund", amount: 4 }]);
    assert.equal(await balance(worker, user.session), 110);
  });
});

describe("APIPod down", () => {
  test("APIPod unreachable at submit: 202, then retried from the queue, failed and refunded exactly once", async () => {
    const user = await newUser();
    // A deploy whose APIPod base URL answers nothing: connections are refused.
    await worker.reconfigure({ APIPOD_BASE_URL: `http://127.0.0.1:${await freePort()}/apipod` });
    const prompt = "Nobody home";
    const { response, body, ms } = await timedGenerate(user, prompt);
    assert.equal(response.status, 202);
    assert.equal(body.status, "queued");
    assert.ok(ms < 2000, `the 202 took ${ms.toFixed(0)} ms`);
    assert.equal(await balance(worker, user.session), 106, "charged at admission");

    // A lost connection is retried (APIPod may have the task) with backoff while the submit window lasts.
    await waitFor(async () => (await generationRow(worker, body.id)).poll_attempts >= 2, 20_000, "three attempts");
    assert.equal((await generationRow(worker, body.id)).status, "queued", "not failed while it may still start");
    // Once the window (five minutes from admission) has passed, the next attempt is the last.
    await worker.db.prepare("UPDATE generations SET created_at = created_at - 360000 WHERE id = ?").bind(body.id).run();
    const done = await settled(worker, user.session, body.id, 30_000);
    assert.deepEqual([done.status, done.failure.code], ["failed", "submit_failed"]);
    assert.match(done.failure.message, /refunded/);
    await worker.runCron();
    await worker.runCron();
    const ledger = await worker.db.prepare("SELECT kind, amount, balance_after FROM credit_ledger WHERE source_id = ? ORDER BY created_at, kind").bind(body.id).all();
    assert.deepEqual(ledger.results, [
      { kind: "generation_debit", amount: -4, balance_after: 106 },
      { kind: "generation_refund", amount: 4, balance_after: 110 },
    ]);
    assert.equal(await balance(worker, user.session), 110);
    assert.equal(apipodSaw(worker, prompt).submissions.length, 0, "nothing reached the stand-in");
  });
});

// Starting generations, uploading references and waiting for generations to settle, for tests.
import { asUser } from "./google-flow.mjs";

/**
 * Starts a request: `started` is the 202's `{ generations, cost, credits }` (or the error); `body` is its first
 * generation on a 202 (the only one when `n` is 1), the error otherwise.
 */
export async function generate(worker, session, body) {
  const response = await worker.fetch("/api/generations", {
    method: "POST", headers: asUser(worker, session, { "content-type": "application/json" }), body: JSON.stringify(body),
  });
  const started = await response.json();
  return { response, started, body: response.status === 202 ? started.generations[0] : started };
}

export async function getGeneration(worker, session, id) {
  return (await worker.fetch(`/api/generations/${id}`, { headers: asUser(worker, session) })).json();
}

/** Polls the API until the generation succeeds or fails (the Worker's queue drives it server-side). */
export async function settled(worker, session, id, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const generation = await getGeneration(worker, session, id);
    if (generation.status === "succeeded" || generation.status === "failed") return generation;
    if (Date.now() > deadline) throw new Error(`generation ${id} still ${generation.status}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

export async function upload(worker, session, bytes, contentType = "image/png") {
  const response = await worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, session, { "content-type": contentType }), body: bytes });
  return { response, body: await response.json() };
}

/** Every R2 key under a prefix. */
export async function r2Keys(worker, prefix) {
  const listing = await worker.bucket.list({ prefix });
  return listing.objects.map((o) => o.key);
}

export async function ledgerFor(worker, source) {
  const { results } = await worker.db.prepare("SELECT kind, amount FROM credit_ledger WHERE source_id = ? ORDER BY created_at, kind").bind(source).all();
  return results;
}

/** The generation's row as D1 holds it (what the API does not show: attempts, task id, finish time). */
export async function generationRow(worker, id) {
  return worker.db.prepare("SELECT status, poll_attempts, apipod_task_id, finished_at, updated_at, failure_code, failure_message FROM generations WHERE id = ?").bind(id).first();
}

/** What the APIPod stand-in received for a prompt: every submission, and the tasks it started. */
export function apipodSaw(worker, prompt) {
  const { state } = worker.fakes.apipod;
  const submissions = state.submissions.filter((s) => s.input.prompt === prompt);
  const tasks = [...state.tasks.values()].filter((t) => t.input.prompt === prompt);
  return { submissions, tasks };
}

/** The task APIPod started for a prompt, once the submission (made after the 202) has reached it. */
export function submittedTask(worker, prompt, timeoutMs = 5000) {
  return waitFor(() => apipodSaw(worker, prompt).tasks[0], timeoutMs, `APIPod's task for "${prompt}"`);
}

/** Waits until `check()` returns something truthy. */
export async function waitFor(check, timeoutMs = 15_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

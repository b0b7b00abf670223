// End-to-end: what the Worker logs (src/log.rs). Workers observability records every invocation, so an ordinary
// request writes no line of its own; a traced one (x-request-id), one with notes, or a 5xx does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { waitFor } from "../support/generation-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { asUser } from "../support/google-flow.mjs";

const worker = useWorker({ before, after });

const linesFor = (requestId) => worker.jsonLogs().filter((l) => l.request_id === requestId);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

test("an ordinary request writes no log line; the same request with the caller's x-request-id writes exactly one", async () => {
  const plain = await worker.fetch("/api/nope");
  assert.equal(plain.status, 404);
  const generated = plain.headers.get("x-request-id");
  assert.ok(generated, "every response still names its request id");
  const health = await worker.fetch("/healthz");
  assert.equal(health.status, 200);
  await settle();
  assert.deepEqual(linesFor(generated), []);
  assert.deepEqual(linesFor(health.headers.get("x-request-id")), []);

  const traced = await worker.fetch("/api/nope", { headers: { "x-request-id": "logging-traced-1" } });
  assert.equal(traced.status, 404);
  await waitFor(() => linesFor("logging-traced-1").length);
  const [line, ...more] = linesFor("logging-traced-1");
  assert.deepEqual(more, []);
  assert.deepEqual([line.msg, line.level, line.method, line.path, line.status, line.subrequests], ["request", "info", "GET", "/api/nope", 404, 0]);
});

test("a 5xx writes its fault (the cause, under the request id) and its request line at error level, untraced", async () => {
  const user = await newPerson(worker, { label: "logged" });
  // Something only a fault explains: the table the support inbox reads is gone.
  await worker.db.exec("DROP TABLE support_messages");
  const response = await worker.fetch("/api/support", { headers: asUser(worker, user.session) });
  assert.equal(response.status, 500);
  assert.equal((await response.json()).error.code, "internal_error");
  const id = response.headers.get("x-request-id");
  await waitFor(() => linesFor(id).length >= 2);
  const fault = linesFor(id).find((l) => l.msg === "internal_error");
  assert.match(fault.cause, /support_messages/);
  const line = linesFor(id).find((l) => l.msg === "request");
  assert.deepEqual([line.level, line.status, line.path], ["error", 500, "/api/support"]);
});

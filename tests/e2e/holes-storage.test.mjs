// End-to-end, issue 13 (storage holes): one test per hole, named after it, each asserting D1 rows, ledger,
// balance and R2 objects; plus the streaming and memory checks for the large-body paths.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startWorker, ROOT } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, settled, r2Keys, ledgerFor, apipodSaw, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";

let worker;
before(async () => { worker = await startWorker(); });
after(async () => {
  // Whatever the stand-in said in these tests (two results included) has a documented shape.
  if (worker) checkApipodAnswers(worker.fakes.apipod.state.answers);
  await worker?.stop();
});

const newUser = (options = {}) => newPerson(worker, { label: "storage", ...options });

const imageRows = async (generationId) =>
  (await worker.db.prepare("SELECT r2_key, etag, size_bytes FROM generation_images WHERE generation_id = ? ORDER BY position").bind(generationId).all()).results;
const todo = async () => (await worker.db.prepare("SELECT r2_key FROM r2_deletions ORDER BY id").all()).results.map((r) => r.r2_key);
const settledEvents = (id) => worker.jsonLogs().filter((l) => l.msg === "generation_settled" && l.fields?.generation_id === id).map((l) => l.fields);

/** Two finishers stored; exactly one won; R2 holds exactly the winner's object; charged once. */
async function onlyTheWinnerRemains(user, generationId, task) {
  await waitFor(() => settledEvents(generationId).length === 2, 15_000, "both finishers done");
  const events = settledEvents(generationId);
  assert.deepEqual(events.map((e) => e.won).sort(), [false, true], "exactly one finisher wins");
  assert.equal(events.find((e) => e.won).attempt, Math.max(...events.map((e) => e.attempt)), "the latest claim wins");
  const done = await settled(worker, user.session, generationId);
  assert.equal(done.status, "succeeded");
  const rows = await imageRows(generationId);
  assert.equal(rows.length, 1);
  // The winner's original and its two renditions (`<original>.medium.*.webp`, `<original>.preview.*.webp`).
  const keys = await waitFor(async () => {
    const listed = await r2Keys(worker, `generations/${user.id}/${generationId}/`);
    return listed.length === 3 && listed;
  }, 15_000, "the winner's renditions");
  assert.deepEqual(keys.filter((key) => !key.endsWith(".webp")), [rows[0].r2_key], "only the winner's object remains");
  assert.ok(keys.every((key) => key.startsWith(rows[0].r2_key)), "renditions only of the winner's object");
  const object = await worker.bucket.get(rows[0].r2_key);
  assert.equal(object.size, rows[0].size_bytes);
  assert.equal(object.httpEtag, rows[0].etag, "the object is the one the winner recorded");
  const served = await worker.fetch(done.images[0].url, { headers: asUser(worker, user.session) });
  assert.equal(served.status, 200);
  assert.ok(Buffer.from(await served.arrayBuffer()).equals(task.png));
  assert.deepEqual(await ledgerFor(worker, generationId), [{ kind: "generation_debit", amount: -4 }]);
  assert.equal(await balance(worker, user.session), 106);
}

/** Starts a generation and waits until its (slow) result download has begun. */
async function downloading(user, prompt) {
  const { body } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1" });
  const task = await submittedTask(worker, prompt);
  await waitFor(() => worker.fakes.apipod.state.resultRequests.some((r) => r.taskId === task.id), 10_000, "first download");
  return { body, task };
}

describe("money holes", () => {
  test("a duplicate completion can delete the winner's images: only the attempt that wins the D1 transition keeps its objects", async () => {
    const user = await newUser({ pack: true });
    const prompt = "Two finishers race [apipod:slow_result]";
    // The callback's finisher has claimed the generation and is downloading (slowly)...
    const { body, task } = await downloading(user, prompt);
    // ...when the same callback is delivered again: a second finisher claims and stores too.
    const delivered = worker.fakes.apipod.state.callbacks.find((c) => c.taskId === task.id);
    const replay = await worker.fetch(new URL(task.input.callback_url).pathname, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(delivered.payload),
    });
    assert.equal(replay.status, 200);
    assert.equal((await replay.json()).outcome, "finished");
    await onlyTheWinnerRemains(user, body.id, task);
  });

  test("a duplicate completion can delete the winner's images: a finisher whose claim expired loses to the one re-queued after it", async () => {
    const user = await newUser({ pack: true });
    const prompt = "A finisher outlives its claim [apipod:slow_result]";
    const { body, task } = await downloading(user, prompt);
    // The first finisher's claim (CLAIM_SECS) is made to look long expired: the cron sweep re-queues a poll,
    // whose finisher claims again while the first is still downloading.
    await worker.db.prepare("UPDATE generations SET next_poll_at = ? WHERE id = ?").bind(Date.now() - 600_000, body.id).run();
    await worker.runCron();
    await onlyTheWinnerRemains(user, body.id, task);
  });

  test("more images than paid for: of several results only the one paid image is downloaded and kept", async () => {
    const user = await newUser({ pack: true });
    const prompt = "Two results for one price [apipod:two_results]";
    const { body } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1" });
    const done = await settled(worker, user.session, body.id);
    const [task] = apipodSaw(worker, prompt).tasks;
    assert.equal(done.status, "succeeded");
    assert.equal(done.images.length, 1);
    assert.equal((await imageRows(body.id)).length, 1);
    assert.equal((await r2Keys(worker, `generations/${user.id}/${body.id}/`)).filter((key) => !key.endsWith(".webp")).length, 1);
    const downloads = worker.fakes.apipod.state.resultRequests.filter((r) => r.taskId === task.id);
    assert.ok(downloads.length >= 1, "the paid result was downloaded");
    assert.ok(downloads.every((r) => r.index === 0), "the unpaid second result was never fetched");
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    assert.equal(await balance(worker, user.session), 106);
  });
});

describe("privacy holes", () => {
  test("retention and deletion orphan R2 objects: an account with 1100 objects is deleted in chunks, keys listed before rows go", async () => {
    const user = await newUser();
    const now = Date.now();
    const ids = Array.from({ length: 1100 }, (_, i) => `upl_bulk${String(i).padStart(6, "0")}`);
    const statements = ids.map((id) => worker.db.prepare(
      "INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at, last_used_at) VALUES (?, ?, ?, 'image/png', 1, 'x', 16, 16, ?, ?)",
    ).bind(id, user.id, `uploads/${user.id}/${id}`, now, now));
    await worker.db.batch(statements);
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(ids.slice(i, i + 100).map((id) => worker.bucket.put(`uploads/${user.id}/${id}`, "x")));
    }
    assert.equal((await worker.bucket.list({ prefix: `uploads/${user.id}/`, limit: 1000 })).truncated, true);

    const response = await worker.fetch("/api/me", {
      method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ confirm: "DELETE" }),
    });
    assert.ok(response.status < 300, `deletion answered ${response.status}`);
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
    assert.deepEqual(await todo(), [], "every listed key was deleted, then forgotten");
    assert.ok((await worker.db.prepare("SELECT deleted_at FROM accounts WHERE id = ?").bind(user.id).first()).deleted_at > 0);
  });

  test("retention and deletion orphan R2 objects: an R2 failure mid-way leaves the to-do for the sweep, which drains it", async () => {
    const user = await newUser();
    const now = Date.now();
    const old = now - 400 * 86_400_000;
    // 1500 never-used uploads past retention; one R2 key R2 refuses (over its 1024-byte limit) sits in the first chunk.
    const keys = Array.from({ length: 1500 }, (_, i) => `uploads/${user.id}/upl_old${String(i).padStart(6, "0")}`);
    keys[400] = `uploads/${user.id}/${"x".repeat(1100)}`;
    await worker.db.batch(keys.map((key, i) => worker.db.prepare(
      "INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) VALUES (?, ?, ?, 'image/png', 1, 'x', 16, 16, ?)",
    ).bind(`upl_old${String(i).padStart(6, "0")}`, user.id, key, old + i)));
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).filter((k) => k.length < 1024).map((key) => worker.bucket.put(key, "x")));
    }

    await worker.runCron(); // forgets up to 500 rows, keys listed first; drains what R2 accepts
    await worker.runCron();
    await worker.runCron(); // all 1500 rows gone by now
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
    const left = await todo();
    const remaining = await r2Keys(worker, `uploads/${user.id}/`);
    assert.ok(left.length > 0 && left.length <= 1000, `the refused chunk stays listed (${left.length})`);
    assert.ok(left.includes(keys[400]));
    for (const key of remaining) assert.ok(left.includes(key), `${key} still exists, so it is still listed`);
    assert.equal(remaining.length, left.length - 1, "every other object of the refused chunk still exists");

    // R2 recovers (the bad key is dealt with by hand); the next sweep drains the rest.
    await worker.db.prepare("DELETE FROM r2_deletions WHERE r2_key = ?").bind(keys[400]).run();
    await worker.runCron();
    assert.deepEqual(await todo(), []);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
  });

  test("retention and deletion orphan R2 objects: deleting one generation lists its key in the same batch and deletes it", async () => {
    const user = await newUser({ pack: true });
    const { body } = await generate(worker, user.session, { prompt: "Delete me later", model: "seedream-v4.5", aspect_ratio: "1:1" });
    await settled(worker, user.session, body.id);
    const [row] = await imageRows(body.id);
    const response = await worker.fetch(`/api/generations/${body.id}`, { method: "DELETE", headers: asUser(worker, user.session) });
    assert.equal(response.status, 204);
    assert.equal(await worker.bucket.head(row.r2_key), null);
    assert.ok(!(await todo()).includes(row.r2_key));
    assert.equal(await count(worker.db, "generation_images", "generation_id = ?", body.id), 0);
    assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
  });

  test("sweeps scan whole tables every minute: every sweep query is answered from an index (EXPLAIN QUERY PLAN)", async () => {
    const dir = path.join(ROOT, "src/store/sql");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql"));
    const rust = fs.readdirSync(path.join(ROOT, "src/store")).filter((f) => f.endsWith(".rs"))
      .map((f) => fs.readFileSync(path.join(ROOT, "src/store", f), "utf8")).join("\n");
    assert.ok(files.length >= 7);
    for (const file of files) {
      assert.ok(rust.includes(`include_str!("sql/${file}")`), `${file} is the very text the Worker runs`);
      const sql = fs.readFileSync(path.join(dir, file), "utf8");
      const params = Math.max(0, ...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));
      const args = Array.from({ length: params }, () => 0);
      if (file === "r2_deletions_done.sql") args[0] = "[1,2]";
      const { results } = await worker.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...args).all();
      const plan = results.map((r) => r.detail);
      const scans = plan.filter((d) => /^SCAN (?!json_each)\w+$/.test(d) || /^SCAN (?!json_each)\w+ *$/.test(d));
      assert.deepEqual(scans, [], `${file}: ${plan.join(" | ")}`);
      assert.ok(plan.some((d) => /USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY)/.test(d)), `${file}: ${plan.join(" | ")}`);
    }
  });
});

describe("production limits: memory", () => {
  test("an upload without Content-Length is refused (413) while it is still being sent, and nothing is stored", async () => {
    const user = await newUser();
    let closedAt = 0;
    const mib = Buffer.alloc(1 << 20, 7);
    let sent = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        if (sent < 11) { sent++; controller.enqueue(mib); return; }
        await new Promise((resolve) => setTimeout(resolve, 4000)); // holds the request open past the cap
        closedAt = Date.now();
        controller.close();
      },
    });
    const response = await fetch(`${worker.url}/api/uploads`, {
      method: "POST", headers: asUser(worker, user.session, { "content-type": "image/png" }), body: stream, duplex: "half",
    });
    const answeredAt = Date.now();
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, "image_too_large");
    assert.ok(closedAt === 0 || answeredAt < closedAt, "answered before the body ended");
    assert.equal(await count(worker.db, "uploads", "account_id = ?", user.id), 0);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
  });

  // workerd's peak RSS also holds the local R2 simulator's copies, so the budget is stated for the whole process:
  // after a warm-up result, each test resets the peak (`clear_refs`) and stores a 24 MiB result. Measured: with
  // Content-Length +1–6 MiB; without it +26–27 MiB in 8 MiB parts, +84–86 MiB when held whole (the old way).
  // Previews are left out (no Images binding here): in production that binding runs outside the isolate.
  describe("without the Images binding", () => {
  before(async () => {
    await worker.reconfigure({}, { images: false });
    // One big result first, so the local simulators' one-time growth is not counted against the tests below.
    const user = await newUser({ pack: true });
    const { body } = await generate(worker, user.session, { prompt: "Warm-up poster [apipod:big_result]", model: "seedream-v4.5", aspect_ratio: "1:1" });
    await settled(worker, user.session, body.id, 60_000);
  });
  after(() => worker.reconfigure({}, { images: true }));
  for (const [mode, how] of [["big_chunked", "without Content-Length: stored in 8 MiB parts"], ["big_result", "with Content-Length: streamed through"]]) {
    test(`a 24 MiB result ${how}: stored whole, workerd's peak memory grows by under 2 copies of it`, async () => {
      const user = await newUser({ pack: true });
      const workerd = workerdPid();
      const before = resetPeakKiB(workerd);
      const prompt = `A poster in 4K [apipod:${mode}]`;
      const { body } = await generate(worker, user.session, { prompt, model: "seedream-v4.5", aspect_ratio: "1:1" });
      const done = await settled(worker, user.session, body.id, 60_000);
      assert.equal(done.status, "succeeded", JSON.stringify(done.failure));
      const grown = peakKiB(workerd) - before;
      console.log(`${mode}: workerd RSS before ${before} KiB, peak growth while storing a 24 MiB result: ${grown} KiB`);
      assert.ok(grown < 2 * 24 * 1024, `peak grew ${grown} KiB`);
      const [row] = await imageRows(body.id);
      assert.equal(row.size_bytes, 24 * 1024 * 1024);
      const object = await worker.bucket.head(row.r2_key);
      assert.equal(object.size, 24 * 1024 * 1024);
      const sent = apipodSaw(worker, prompt).tasks[0].bigPng;
      const stored = Buffer.from(await (await worker.bucket.get(row.r2_key)).arrayBuffer());
      assert.ok(stored.equals(sent), "R2 holds the bytes APIPod sent, in order");
      assert.deepEqual(await ledgerFor(worker, body.id), [{ kind: "generation_debit", amount: -4 }]);
    });
  }
  });
});

/** The workerd process Miniflare started for this test file (a child of this process). */
function workerdPid() {
  const children = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid && stat.includes("(workerd)");
    } catch { return false; }
  });
  assert.equal(children.length, 1, "one workerd child");
  return children[0];
}

/** Peak resident memory (VmHWM) of a process, KiB. */
function peakKiB(pid) {
  return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
}

/** Resets the process's peak to its current resident memory (Linux `clear_refs` 5) and returns that, KiB. */
function resetPeakKiB(pid) {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
}

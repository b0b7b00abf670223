// Runs the built Worker (build/index.js + wasm) in workerd through Miniflare, configured from wrangler.toml,
// with in-memory D1 and R2, migrations applied, the stand-ins on loopback, and its log lines captured.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { startFakes } from "./fakes/server.mjs";
import { checkResponse } from "./openapi-check.mjs";
import { localVars, TEST_SECRETS } from "./env.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The migration files in the order wrangler applies them. */
export function migrationFiles() {
  return fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort();
}

/** Applies migrations (all by default) as `wrangler d1 migrations apply` does: each file in one batch. */
export async function applyMigrations(db, files = migrationFiles()) {
  for (const file of files) {
    const statements = unstable_splitSqlQuery(fs.readFileSync(path.join(ROOT, "migrations", file), "utf8"));
    if (statements.length) await db.batch(statements.map((sql) => db.prepare(sql)));
  }
}

/**
 * fetch, retried once when a pooled keep-alive connection turns out to have been closed by workerd before the
 * request was sent (undici reports "other side closed"); the request never reached the Worker, so this is safe.
 */
async function fetchOnce(target, init) {
  try {
    return await fetch(target, init);
  } catch (error) {
    const closed = /other side closed|ECONNRESET/.test(String(error?.cause?.message ?? error?.cause?.code ?? error));
    if (!closed) throw error;
    return fetch(target, init);
  }
}

/**
 * Starts stand-ins + Worker. `bindings` overrides vars/secrets; `omit` removes some (to test misconfiguration);
 * `apipodImages: "small"` makes APIPod's results 256 px (real sizes by default). `images: false` starts it without
 * the Images binding (every rendition attempt then fails, as when the service is down).
 * Returns { url, fakes, db, bucket, logs, fetch, stop }.
 */
export async function startWorker({ bindings = {}, omit = [], apipodImages, images = true } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const fakes = await startFakes({
    secrets: { ...TEST_SECRETS, ...bindings }, plans: bindings.PLANS ?? workerOptions.bindings.PLANS, appUrl: () => url, apipodImages,
  });
  const allBindings = { ...workerOptions.bindings, ...localVars({ appUrl: url, fakesUrl: fakes.url }), ...TEST_SECRETS, ...bindings };
  for (const name of omit) delete allBindings[name];

  const logs = [];
  const collect = (stream) => {
    let pending = "";
    stream.on("data", (chunk) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop();
      logs.push(...lines.filter(Boolean));
    });
  };
  const options = {
    ...workerOptions,
    name: "gptimg",
    bindings: allBindings,
    modules: true,
    scriptPath: path.join(ROOT, "build/index.js"),
    modulesRoot: path.join(ROOT, "build"),
    host: "127.0.0.1",
    port,
    d1Persist: false,
    r2Persist: false,
    handleRuntimeStdio: (stdout, stderr) => { collect(stdout); collect(stderr); },
  };
  if (!images) delete options.images;
  const { mf, db } = await readyMiniflare(options);
  const bucket = await mf.getR2Bucket("IMAGES");
  const handle = {
    url,
    fakes,
    db,
    bucket,
    logs,
    /** Parsed JSON log lines the Worker wrote. */
    jsonLogs: () => logs.flatMap((line) => { try { return [JSON.parse(line)]; } catch { return []; } }),
    mf,
    /** Fires the Worker's cron handler once, as Cloudflare does every minute. */
    runCron: async () => (await mf.getWorker()).scheduled({ cron: "* * * * *" }),
    /** fetch of a path on the Worker; every answer to a documented API operation is checked against the OpenAPI document. */
    fetch: async (p, init) => {
      const response = await fetchOnce(url + p, { redirect: "manual", ...init });
      await checkResponse(init?.method ?? "GET", p, response);
      return response;
    },
    stop: async () => { await mf.dispose(); await fakes.close(); },
    /**
     * Restarts the Worker with some vars changed (as a deploy with a new configuration would), keeping D1, R2
     * and the stand-ins; `{ images }` adds or removes the Images binding. `handle.db` and `handle.bucket` are
     * refreshed.
     */
    reconfigure: async (changes, { images: withImages } = {}) => {
      Object.assign(options.bindings, changes);
      if (withImages === true) options.images = workerOptions.images;
      if (withImages === false) delete options.images;
      await mf.setOptions(options);
      handle.db = await mf.getD1Database("DB");
      handle.bucket = await mf.getR2Bucket("IMAGES");
    },
  };
  return handle;
}

/**
 * A started Miniflare with the migrations applied. Miniflare's synchronous proxy call (what `db.prepare` uses) now
 * and then, on a loaded machine, reads an answer that is not its own (an assertion in its `SynchronousFetcher`),
 * and every later call of that instance fails the same way; a fresh instance has its own channel, so start-up is
 * tried again with one (at most three times), and any other failure is thrown at once.
 */
async function readyMiniflare(options) {
  for (let attempt = 1; ; attempt++) {
    const mf = new Miniflare(options);
    try {
      await mf.ready;
      const db = await mf.getD1Database("DB");
      await applyMigrations(db);
      return { mf, db };
    } catch (error) {
      // Disposed either way (a live instance would keep the test process from ever exiting), but never waited
      // on for long.
      await Promise.race([mf.dispose().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      const lostAnswer = error?.code === "ERR_ASSERTION" && /SynchronousFetcher/.test(String(error.stack));
      if (!lostAnswer || attempt >= 3) throw error;
    }
  }
}

/**
 * Stands for the object `get()` returns once it exists: for what a `before` hook creates but module-level code
 * names (`const stripe = late(() => worker.fakes.stripe)`). Reads, writes and method calls reach the real object.
 */
export function late(get) {
  return new Proxy({}, {
    get: (_, key) => {
      const target = get();
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(get(), key, value),
    has: (_, key) => key in get(),
  });
}

/**
 * One Worker for a test file: started before its tests (then `ready(worker)` runs, for the file's own set-up),
 * stopped after them. `options` as for `startWorker`.
 */
export function useWorker({ before, after }, options, ready) {
  let handle = null;
  before(async () => {
    handle = await startWorker(options);
    await ready?.(handle);
  });
  after(async () => { await handle?.stop(); });
  return late(() => handle ?? assert.fail("the Worker starts in the file's before hook"));
}

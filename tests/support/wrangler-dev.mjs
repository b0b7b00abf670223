// Runs the built Worker the way the README's local command does: `wrangler dev` (its proxy in front of workerd)
// with local D1 and R2 persisted in a throwaway folder, migrations applied by `wrangler d1 migrations apply`, and
// the stand-ins on loopback. For behaviour that only shows behind wrangler's proxy; everything else uses
// `startWorker` (Miniflare, no proxy).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startFakes } from "./fakes/server.mjs";
import { localVars, TEST_SECRETS } from "./env.mjs";
import { freePort, ROOT } from "./worker.mjs";

const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
// The built Worker is used as it is (scripts/build.sh skips a fresh build), and wrangler stays quiet and offline.
const ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", GPTIMG_PREBUILT: "1" };

function run(args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    child.stdout.on("data", (chunk) => { output += chunk; });
    child.stderr.on("data", (chunk) => { output += chunk; });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`wrangler ${args[0]} exited ${code}:\n${output}`))));
  });
}

/** Starts stand-ins + `wrangler dev`; resolves to `{ url, fakes, fetch, logs, stop }` once `/healthz` answers. */
export async function startWranglerDev() {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const persist = fs.mkdtempSync(path.join(os.tmpdir(), "gptimg-wrangler-dev-"));
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const fakes = await startFakes({ secrets: TEST_SECRETS, plans: workerOptions.bindings.PLANS, appUrl: () => url });
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist]);
  // The test secrets go in as vars, which win over a `.dev.vars` in the working tree (scripts/dev.sh writes one).
  const vars = { ...localVars({ appUrl: url, fakesUrl: fakes.url }), ...TEST_SECRETS };
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--persist-to", persist, "--show-interactive-dev-session=false",
    ...Object.entries(vars).map(([name, value]) => `--var=${name}:${value}`)];
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const logs = [];
  const collect = (chunk) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ }
    }
    await fakes.close();
    fs.rmSync(persist, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not become healthy:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url, fakes, logs, stop, fetch: (p, init) => fetch(url + p, { redirect: "manual", ...init }) };
}

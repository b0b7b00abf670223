// Runs the local stand-ins as a process for `scripts/dev.sh`: node main.mjs --port 8790 --app-url http://127.0.0.1:8787
// The Worker's secrets come from the environment (dev.sh exports .dev.vars); PLANS comes from wrangler.toml.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startFakes } from "./server.mjs";

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"));
const appUrl = arg("--app-url", "http://127.0.0.1:8787");
const fakes = await startFakes({
  port: Number(arg("--port", "8790")),
  secrets: process.env,
  plans: workerOptions.bindings.PLANS,
  appUrl: () => appUrl,
});
console.log(`[fakes] stand-ins for Google, Stripe and APIPod listening on ${fakes.url}`);
const stop = async () => { await fakes.close(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

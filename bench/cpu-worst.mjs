// Worst-case CPU per invocation, for the README's "Workers Paid is required" statement: the release Worker in
// workerd (tests/support/worker.mjs) with local D1/R2 and the stand-ins, each heavy path run sequentially and
// workerd's CPU time read from /proc before and after. The figure is an UPPER bound on the Worker's own CPU:
// workerd also runs the local D1 and R2 simulators (SQLite, file writes) and the HTTP plumbing.
//   bash scripts/build.sh && node bench/cpu-worst.mjs [--runs 5]
import { execSync } from "node:child_process";
import fs from "node:fs";
import { startWorker } from "../tests/support/worker.mjs";
import { signIn } from "../tests/support/google-flow.mjs";
import { newPerson } from "../tests/support/people.mjs";
import { upload, generate, settled } from "../tests/support/generation-flow.mjs";
import { encodePng, padPng } from "../tests/support/fakes/png.mjs";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const ticks = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }));

const worker = await startWorker();
// Only the workerd this script started (other test runs may have their own).
const pids = execSync(`pgrep -P ${process.pid} -x workerd`, { encoding: "utf8" }).trim().split("\n").map(Number);
const cpuMs = () => pids.reduce((sum, pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return sum + (Number(fields[11]) + Number(fields[12])) * 1000 / ticks;
}, 0);

async function measure(name, once) {
  await once(0); // warm-up: the first call pays for the isolate's start
  const samples = [];
  for (let i = 1; i <= RUNS; i++) {
    const before = cpuMs();
    await once(i);
    samples.push(cpuMs() - before);
  }
  samples.sort((a, b) => a - b);
  return { name, runs: RUNS, median_ms: samples[Math.floor(samples.length / 2)], max_ms: samples.at(-1) };
}

const user = await newPerson(worker, { label: "cpu", pack: true });
const tenMiB = padPng(encodePng(1024, 1024, (x, y) => [x & 255, y & 255, 128]), 10 * 1024 * 1024 - 64);
const results = [
  await measure("sign-in (code exchange, RS256 ID token, account batch)", (i) => signIn(worker, { email: `cpu-signin-${i}@gptimg.test`, name: "Cpu Signin" })),
  await measure("upload of a 10 MiB PNG (streamed: size cap, SHA-256, header checks)", async () => {
    const { response } = await upload(worker, user.session, tenMiB);
    if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
  }),
  await measure("generation whose result is a 24 MiB PNG (admission, submit, callback, streamed copy to R2)", async (i) => {
    const { body } = await generate(worker, user.session, { prompt: `Big result ${i} [apipod:big_result]`, model: "seedream-v4.5", aspect_ratio: "1:1" });
    const done = await settled(worker, user.session, body.id, 60_000);
    if (done.status !== "succeeded") throw new Error(`generation ${done.status}`);
  }),
];
await worker.stop();
console.log(JSON.stringify({ measured_at: new Date().toISOString(), note: "workerd CPU incl. local D1/R2 simulators", results }, null, 2));

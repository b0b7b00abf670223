// Time from APIPod's completion of a task to the generation being `succeeded` in D1, with callbacks (the
// stand-in POSTs callback_url on completion) and with polling only (the `[apipod:nocallback]` mode), on the
// release Worker in workerd (tests/support/worker.mjs). A measurement, not a test: not part of scripts/test.sh.
//   bash scripts/build.sh && node bench/callback-latency.mjs [--runs 10] [--min-delay 2000] [--max-delay 12000]
// Each run gives the stand-in task a different duration, spread evenly over [min-delay, max-delay] ms and the
// same in both modes, so polling is measured across its whole backoff schedule (1, 1, 2, 3, 5, 8 s ...).
import { startWorker } from "../tests/support/worker.mjs";
import { signIn } from "../tests/support/google-flow.mjs";
import { generate, waitFor } from "../tests/support/generation-flow.mjs";

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return Number(index > 0 ? process.argv[index + 1] : fallback);
};
const RUNS = arg("--runs", 10);
const MIN_DELAY = arg("--min-delay", 2000);
const MAX_DELAY = arg("--max-delay", 12000);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function one(worker, mode, index, delayMs) {
  const flow = await signIn(worker, { email: `bench-${mode}-${index}@gptimg.test`, name: `Bench ${index}` });
  const prompt = `Latency ${mode} ${index} [apipod-delay:${delayMs}]${mode === "polling" ? " [apipod:nocallback]" : ""}`;
  const { response, body } = await generate(worker, flow.session, { prompt, model: "nano-banana-2", aspect_ratio: "1:1" });
  if (response.status !== 202) throw new Error(`generation refused: ${JSON.stringify(body)}`);
  const row = await waitFor(async () => {
    const r = await worker.db.prepare("SELECT status, finished_at FROM generations WHERE id = ?").bind(body.id).first();
    return r.status === "running" || r.status === "queued" ? null : r;
  }, 60_000, `generation ${body.id}`);
  if (row.status !== "succeeded") throw new Error(`generation ${body.id} ${row.status}`);
  const task = [...worker.fakes.apipod.state.tasks.values()].find((t) => t.input.prompt === prompt);
  const statusReads = worker.fakes.apipod.state.statusRequests.filter((r) => r.taskId === task.id).length;
  return { latencyMs: row.finished_at - task.completedAt, statusReads };
}

const worker = await startWorker();
try {
  const results = {};
  for (const mode of ["callbacks", "polling"]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const delay = RUNS === 1 ? MIN_DELAY : Math.round(MIN_DELAY + ((MAX_DELAY - MIN_DELAY) * i) / (RUNS - 1));
      // Started together, a little apart, so the runs of a mode overlap as real traffic would.
      runs.push(new Promise((resolve) => setTimeout(resolve, i * 150)).then(() => one(worker, mode, i, delay)));
    }
    const done = await Promise.all(runs);
    const latencies = done.map((r) => r.latencyMs).sort((a, b) => a - b);
    results[mode] = {
      runs: done.length,
      p50_ms: percentile(latencies, 50),
      p90_ms: percentile(latencies, 90),
      max_ms: latencies.at(-1),
      status_reads_per_generation: +(done.reduce((n, r) => n + r.statusReads, 0) / done.length).toFixed(1),
    };
  }
  console.log(JSON.stringify({ task_durations_ms: [MIN_DELAY, MAX_DELAY], results }, null, 2));
} finally {
  await worker.stop();
}

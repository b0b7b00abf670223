#!/usr/bin/env node
//! Turns a `--json` run (`node sim/run.mjs --seeds 1..40 --json > run.json`) into the Markdown tables of
// RELIABILITY.md: operations, faults injected by kind, violations by invariant, and each seed that found a bug.
import fs from "node:fs";

const INVARIANT_NAMES = {
  1: "balance = sum of ledger; negative only as a recorded debt",
  2: "credits granted = what Stripe's objects paid for, once each",
  3: "charged generations succeed with their images or fail refunded once",
  4: "no R2 object without its row, no row without its object",
  5: "a deleted account leaves nothing behind (D1, R2, credentials, Stripe)",
  6: "every Stripe event applied or listed as a billing problem",
  7: "no secret, email or prompt in a log line",
};

const { summary, results } = JSON.parse(fs.readFileSync(process.argv[2] ?? 0, "utf8"));
const table = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const sorted = (o) => Object.entries(o).sort((a, b) => b[1] - a[1]);
const total = (o) => Object.values(o).reduce((a, b) => a + b, 0);

const steps = [...new Set(results.map((r) => r.steps))].join(", ");
console.log(`${summary.runs} seeds (${results[0].seed}..${results.at(-1).seed}), ${steps} steps each, ${results[0].all_faults ? "every fault kind (`--all-faults`)" : "known holes gated"}; ${total(summary.operations)} operations, ${total(summary.faults)} faults, ${results.reduce((a, r) => a + r.stripe_events, 0)} Stripe events, ${summary.seconds} s of runs.\n`);
console.log(table(["operation", "count"], sorted(summary.operations).map(([k, v]) => [`\`${k}\``, v])));
console.log();
console.log(table(["fault injected", "count"], sorted(summary.faults).map(([k, v]) => [`\`${k}\``, v])));
console.log();
console.log(table(["invariant", "violations", "seeds"], Object.entries(INVARIANT_NAMES).map(([n, name]) => [
  `${n}. ${name}`, summary.violations_by_invariant[n] ?? 0, results.filter((r) => r.violations.some((v) => String(v.invariant) === n)).map((r) => r.seed).join(", ") || "—",
])));
console.log();
console.log(table(["seed", "violations (invariant: what)", "reproduce"], summary.failing_seeds.map((f) => [f.seed, f.violations.join("; "), `\`${f.command}\``])));

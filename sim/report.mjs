#!/usr/bin/env node
//! Turns `--json` runs (`node sim/run.mjs --seeds 1..40 --json > run.json`; several files add up) into the Markdown
// tables of RELIABILITY.md: operations, faults injected by kind, violations by invariant, and each seed that found a bug.
import fs from "node:fs";
import { summarise } from "./summary.mjs";

const INVARIANT_NAMES = {
  1: "balance = sum of ledger; negative only as a recorded debt",
  2: "credits granted = what Stripe's objects paid for, once each",
  3: "charged generations succeed with their images or fail refunded once",
  4: "no R2 object without its row, no row without its object",
  5: "a deleted account leaves nothing behind (D1, R2, credentials, Stripe)",
  6: "every Stripe event applied or listed as a billing problem",
  7: "no secret, email or prompt in a log line",
};

/**
 * What a violation's evidence points at: a bug named in RELIABILITY.md, or a regression of one of section 2's
 * closed holes; "unclassified" asks for a look.
 */
export function suspect(v) {
  const e = v.evidence ?? {};
  if (v.invariant === 1 && /running sum|up to it/.test(v.what) && e.entry?.kind === "account_deletion") return "deletion's forfeit entry ignores the debt";
  if (v.invariant === 2 && (e.reason === "subscription_update" || e.invoices?.some((i) => i.reason === "subscription_update"))) return "proration (regression)";
  if (v.invariant === 2 && e.payments) {
    if (e.payments.some((p) => p.charges?.some((c) => c.dispute === "won" && c.refunded > 0)) && e.ledger_net > e.expected) return "refund overtaken by a dispute later won";
    if (e.payments.some((p) => p.change !== 0)) return "plan change or credit back";
    if (e.ledger_net > e.expected) return "reversal not taken back (regression: debt)";
  }
  if ((v.invariant === 4 && String(e.owner ?? "").startsWith("upload")) || (v.invariant === 5 && /uploads|idempotency_keys/.test(v.what))) return "upload during deletion (regression)";
  if (v.invariant === 5 && /subscription still active/.test(v.what)) return "payment racing deletion (regression)";
  return "unclassified";
}

// One `--json` file, or several (chunks of one long run), added up; stdin without any.
const files = process.argv.length > 2 ? process.argv.slice(2) : [0];
// Wrangler's config reader prints a line or two on stdout ("Using secrets defined in .dev.vars"); the JSON follows.
const parse = (text) => JSON.parse(text.slice(text.search(/^\{$/m)));
const results = files.flatMap((f) => parse(fs.readFileSync(f, "utf8")).results).sort((a, b) => a.seed - b.seed);
const summary = summarise(results);
const table = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const sorted = (o) => Object.entries(o).sort((a, b) => b[1] - a[1]);
const total = (o) => Object.values(o).reduce((a, b) => a + b, 0);

const steps = [...new Set(results.map((r) => r.steps))].join(", ");
console.log(`${summary.runs} seeds (${results[0].seed}..${results.at(-1).seed}), ${steps} steps each, ${results[0].all_faults ? "every fault kind (`--all-faults`)" : "known holes gated"}; ${total(summary.operations)} operations, ${total(summary.faults)} faults, ${results.reduce((a, r) => a + r.stripe_events, 0)} Stripe events, ${summary.seconds} s of runs.\n`);
// An operation that found nothing to act on (no subscription to renew, no open checkout...) did nothing.
const idle = /^(nothing|no_\w+|none_open|unsupported|gated)$/;
const acted = {};
const answers = {};
for (const r of results) {
  for (const [key, n] of Object.entries(r.outcomes)) {
    const [kind, outcome] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (!idle.test(outcome)) acted[kind] = (acted[kind] ?? 0) + n;
    (answers[kind] ??= {})[outcome] = ((answers[kind] ??= {})[outcome] ?? 0) + n;
  }
}
const top = (kind) => sorted(answers[kind] ?? {}).slice(0, 4).map(([o, n]) => `${o} ×${n}`).join(", ");
console.log(table(["operation", "drawn", "acted", "most frequent outcomes"], sorted(summary.operations).map(([k, v]) => [`\`${k}\``, v, acted[k] ?? 0, top(k)])));
console.log();
console.log(table(["fault injected", "count"], sorted(summary.faults).map(([k, v]) => [`\`${k}\``, v])));
console.log();
console.log(table(["invariant", "violations", "seeds"], Object.entries(INVARIANT_NAMES).map(([n, name]) => [
  `${n}. ${name}`, summary.violations_by_invariant[n] ?? 0, results.filter((r) => r.violations.some((v) => String(v.invariant) === n)).map((r) => r.seed).join(", ") || "—",
])));
console.log();
console.log(table(["seed", "violations (invariant: what)", "suspected cause", "reproduce"], results.filter((r) => r.violations.length).map((r) => [
  r.seed, [...new Set(r.violations.map((v) => `${v.invariant}: ${v.what}`))].join("; "), [...new Set(r.violations.map(suspect))].join("; "), `\`${r.command}\``,
])));

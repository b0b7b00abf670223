//! The figures of many seeded runs added up: operations, faults and skips by kind, violations by invariant, and
// each seed that broke one with the command that reproduces it (printed by sim/run.mjs, tabled by sim/report.mjs).

export function summarise(results) {
  const sum = (pick) => {
    const out = {};
    for (const r of results) for (const [k, v] of Object.entries(pick(r))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const byInvariant = {};
  for (const r of results) for (const v of r.violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
  return {
    runs: results.length, operations: sum((r) => r.operations), faults: sum((r) => r.faults), skipped: sum((r) => r.skipped),
    violations_by_invariant: byInvariant,
    failing_seeds: results.filter((r) => r.violations.length).map((r) => ({ seed: r.seed, command: r.command, violations: [...new Set(r.violations.map((v) => `${v.invariant}: ${v.what}`))] })),
    seconds: Math.round(results.reduce((a, r) => a + r.seconds, 0)),
  };
}

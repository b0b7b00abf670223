//! The run's plan, drawn from the seed before anything runs: groups of operations that overlap (one Promise each),
// each naming its kind, its actor and the random numbers it resolves its targets with. Same seed, same plan.
import { accountOps } from "./ops/accounts.mjs";
import { billingOps, PRORATION_OPS } from "./ops/billing.mjs";
import { generationOps } from "./ops/generations.mjs";
import { uploadOps } from "./ops/uploads.mjs";
import { systemOps } from "./ops/system.mjs";

/** Every operation by name. */
export const OPERATIONS = { ...accountOps, ...billingOps, ...PRORATION_OPS, ...generationOps, ...uploadOps, ...systemOps };

/** How many operations overlap in one group, and how likely each size is. */
const GROUP_SIZES = { 1: 45, 2: 30, 3: 17, 4: 8 };

/** The plan for `steps` operations among `actors` people; `rng` is the plan's own stream. */
export function planRun(rng, { steps, actors }) {
  const weights = Object.fromEntries(Object.entries(OPERATIONS).map(([name, op]) => [name, op.weight]));
  const groups = [];
  let planned = 0;
  while (planned < steps) {
    const size = Math.min(Number(rng.weighted(GROUP_SIZES)), steps - planned);
    const group = [];
    for (let i = 0; i < size; i++) {
      const kind = rng.weighted(weights);
      group.push({ kind, actor: rng.int(actors), params: Array.from({ length: 10 }, () => rng.nextU32()) });
    }
    groups.push(group);
    planned += size;
  }
  return groups;
}

/** The plan as one line per group, for printing and comparing. */
export function describePlan(groups) {
  return groups.map((g, i) => `${i}: ${g.map((op) => `${op.kind}@${op.actor}`).join(" | ")}`);
}

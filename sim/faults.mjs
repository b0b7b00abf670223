//! The fault table: what can go wrong and how often, and the one place where fault kinds that still hit an open
// hole are switched off for the CI set (KNOWN_HOLES). `--all-faults` ignores the switch.
import { MODES } from "../tests/support/fakes/apipod.mjs";

/**
 * Fault kinds (or operations, by their `hole`) that today break an invariant because of a known, still open hole,
 * each with the hole it hits; without `--all-faults` they are not driven. Add an entry only with the bug it names
 * (and list it in RELIABILITY.md); remove it once the fix is merged. Empty: section 2's holes are all closed.
 */
export const KNOWN_HOLES = {};

/** APIPod misbehaviours driven through the stand-in's prompt modes, with weights; `normal` means none. */
export const APIPOD_MODES = {
  normal: 40,
  fail: 4, fail_legacy: 1, fail_every_second: 3, cancel: 2, stall: 3,
  result404: 3, notimage: 2, malformed: 1, slow_result: 2, two_results: 2,
  submit500: 3, submit429: 3, submit503: 3, submit504: 3, conflict: 1, timeout: 1, hang_once: 2, drop_once: 3, code0: 1,
  poll429: 2, nocallback: 4, callback_twice: 3, callback_early: 2, callback_late: 3,
};

/** Modes this stand-in knows (others, e.g. not merged yet, are never chosen). */
export function apipodModes() {
  return Object.fromEntries(Object.entries(APIPOD_MODES).filter(([mode]) => mode === "normal" || mode in MODES));
}

/** Stripe API misbehaviours for the Worker's own calls (checkout, portal, cancellations). */
export const STRIPE_API_FAULTS = { error500: 2, hang: 1 };

/** Whether a gated kind may run: always with `allFaults`, else only if it is not a known hole. */
export function allowed(kind, { allFaults = false } = {}) {
  return allFaults || !(kind in KNOWN_HOLES);
}

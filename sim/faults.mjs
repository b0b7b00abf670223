//! The fault table: what can go wrong and how often, and the one place where fault kinds that still hit an open
// hole are switched off for the CI set (KNOWN_HOLES). `--all-faults` ignores the switch.
import { MODES } from "../tests/support/fakes/apipod.mjs";

/**
 * Fault kinds (or operations) that today break an invariant because of a hole listed in section 2 of the issue;
 * each says which hole. Remove an entry once its fix is merged: the CI set then drives that fault again.
 */
export const KNOWN_HOLES = {
  reversal_after_spend: "refunds and disputes of credits already spent are capped at the balance and forgotten (section 2: chargebacks and refunds after the credits were spent)",
  dispute_closed_first: "charge.dispute.closed delivered before charge.dispute.created: the close is a no-op, then the creation reclaims for ever (section 2: a dispute's final status is recorded)",
  proration_invoice: "a subscription_update invoice in the same period grants the whole period again (section 2: proration)",
  upload_during_deletion: "an upload in flight while its account is deleted writes its row (and stored answer) after the deletion's batch; the prefix purge then removes the object (section 2: an upload in flight during deletion writes nothing)",
  payment_after_deletion: "a checkout opened before the account's deletion and paid after it leaves a live subscription at Stripe (section 2: payments racing deletion)",
};

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

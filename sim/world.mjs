//! What the simulator knows about its people while it runs: each actor's Google identity, current account and
// credentials, the ids it has seen, and everything that must never reach a log (emails, prompts, secrets).
import { asUser } from "../tests/support/google-flow.mjs";

export class Stats {
  constructor() {
    this.ops = {};
    this.outcomes = {};
    this.faults = {};
    this.errors = [];
    this.skipped = {};
  }
  op(kind, outcome) {
    this.ops[kind] = (this.ops[kind] ?? 0) + 1;
    const key = `${kind}:${outcome}`;
    this.outcomes[key] = (this.outcomes[key] ?? 0) + 1;
  }
  fault(kind) {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }
  skip(kind, why) {
    const key = `${kind}:${why}`;
    this.skipped[key] = (this.skipped[key] ?? 0) + 1;
  }
}

export class World {
  constructor({ worker, seed, actors, allFaults }) {
    this.worker = worker;
    this.seed = seed;
    this.allFaults = allFaults;
    this.counter = 0;
    this.stats = new Stats();
    this.emails = new Set();
    this.prompts = new Map(); // nonce -> prompt
    this.secrets = new Set();
    this.deleted = []; // { accountId, session, key, email }
    this.features = {}; // probed once: e.g. uploadDelete
    this.actors = Array.from({ length: actors }, (_, i) => {
      const email = `sim${seed}-actor${i}@gptimg.test`;
      this.emails.add(email);
      return { index: i, email, name: `Simactor ${seed}x${i}`, sub: `sim-${seed}-${i}`, account: null, accounts: [], checkouts: [], generations: [], uploads: [], images: [] };
    });
  }

  next() {
    return ++this.counter;
  }

  /** Headers for an API call as the actor's current account: by its session cookie or, when asked and held, its key. */
  headers(actor, { byKey = false, json = false, extra = {} } = {}) {
    const type = json ? { "content-type": "application/json" } : {};
    if (byKey && actor.account?.key) return { authorization: `Bearer ${actor.account.key}`, ...type, ...extra };
    return asUser(this.worker, actor.account?.session ?? "none", { ...type, ...extra });
  }

  /** Every account id the actor ever had (a deleted one's Google identity may sign up afresh). */
  accountIds(actor) {
    return actor.accounts.map((a) => a.id);
  }

  /** The actor owning an account id, if any. */
  actorOf(accountId) {
    return this.actors.find((a) => a.accounts.some((acc) => acc.id === accountId));
  }
}

/** Reads a JSON answer without failing on an empty or non-JSON body. */
export async function jsonOf(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

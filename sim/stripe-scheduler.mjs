//! Stripe's delivery queue as the simulator plays it: every event the stand-in emits is held here and released
// at least once — on time, late, duplicated (one after another or at the same moment) and so reordered — and a
// non-2xx answer is retried later, as Stripe retries for days. Decisions come from the seeded stream only.

/** How an arriving event is scheduled; `enabled(name)` says whether a fault kind may be used. */
export const DELIVERY_FAULTS = {
  on_time: { weight: 45, fault: false },
  late: { weight: 20, fault: true },
  duplicate: { weight: 15, fault: true },
  duplicate_concurrent: { weight: 8, fault: true },
  held_long: { weight: 12, fault: true },
};

/**
 * The plan for the `n`-th arriving event at scheduler step `step`: the steps at which its copies are released
 * and whether two copies go at once. Pure: the same stream and arrivals give the same plan.
 */
export function planDelivery(rng, step, enabled = () => true) {
  const weights = Object.fromEntries(Object.entries(DELIVERY_FAULTS).map(([k, v]) => [k, v.fault && !enabled(k) ? 0 : v.weight]));
  const kind = rng.weighted(weights);
  switch (kind) {
    case "late": return { kind, at: [step + rng.between(1, 4)], concurrent: false };
    case "held_long": return { kind, at: [step + rng.between(5, 12)], concurrent: false };
    case "duplicate": {
      const copies = rng.between(2, 3);
      return { kind, at: Array.from({ length: copies }, () => step + rng.between(0, 5)).sort((a, b) => a - b), concurrent: false };
    }
    case "duplicate_concurrent": return { kind, at: [step, step], concurrent: true };
    default: return { kind: "on_time", at: [step], concurrent: false };
  }
}

/** Stripe's retry after a failed attempt, in scheduler steps (it backs off). */
export function retryDelay(rng, attempts) {
  return Math.min(8, attempts) + rng.int(3);
}

export class StripeScheduler {
  /**
   * `send(event)` posts one signed copy and resolves to `{ status, body }`; `rng` is the scheduler's own stream;
   * `enabled(kind)` gates fault kinds; `stats.fault(kind)` counts each fault used.
   */
  constructor({ rng, send, enabled = () => true, stats }) {
    Object.assign(this, { rng, send, enabled, stats });
    this.step = 0;
    this.pending = []; // { event, at, concurrentWith }
    this.events = new Map(); // id -> { event, plan, attempts: [{ status, body }], lastStatus }
    this.inFlight = new Set();
  }

  /** An event the stand-in tried to send: decide when its copies go. */
  receive(event) {
    if (this.events.has(event.id)) return; // the stand-in never re-sends; a resend is our own business
    const plan = planDelivery(this.rng, this.step, this.enabled);
    this.events.set(event.id, { event, plan, attempts: [], lastStatus: null });
    if (plan.kind !== "on_time") this.stats?.fault(`stripe_${plan.kind}`);
    plan.at.forEach((at, i) => this.pending.push({ event, at, group: plan.concurrent ? `${event.id}:c` : `${event.id}:${i}` }));
  }

  /** Delivers every copy due by the current step, in a shuffled order (so reordered), and advances the clock. */
  async release({ all = false } = {}) {
    const due = this.pending.filter((p) => all || p.at <= this.step);
    this.pending = this.pending.filter((p) => !due.includes(p));
    this.step += 1;
    const order = this.rng.shuffle(due);
    const work = order.map((p) => this.deliverOne(p.event));
    await Promise.all(work);
  }

  async deliverOne(event) {
    const record = this.events.get(event.id);
    const attempt = (async () => {
      let answer;
      try {
        answer = await this.send(event);
      } catch (error) {
        answer = { status: 0, body: String(error?.message ?? error) };
      }
      record.attempts.push(answer);
      record.lastStatus = answer.status;
      const ok = answer.status >= 200 && answer.status < 300;
      // Stripe retries a failed attempt later; a success already applied needs nothing more.
      if (!ok && !this.pending.some((p) => p.event.id === event.id)) {
        this.pending.push({ event, at: this.step + retryDelay(this.rng, record.attempts.length), group: `${event.id}:retry` });
      }
      return answer;
    })();
    this.inFlight.add(attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(attempt);
    }
  }

  /** Releases everything still held, then whatever failed, for up to `rounds` more retries. */
  async flush({ rounds = 1, between } = {}) {
    await Promise.all([...this.inFlight]);
    await this.release({ all: true });
    for (let i = 0; i < rounds && this.pending.length; i++) {
      await between?.();
      await this.release({ all: true });
    }
  }

  /** Events whose last delivery was not answered 2xx. */
  failing() {
    return [...this.events.values()].filter((r) => !(r.lastStatus >= 200 && r.lastStatus < 300));
  }
}

//! The simulator's only source of randomness: xoshiro128** seeded through splitmix32, with named sub-streams so
// that one kind of choice (say, Stripe delivery faults) never shifts another's (which operation comes next).

/** splitmix32: spreads a 32-bit seed into well-mixed state words. */
function splitmix32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a label, to derive a sub-stream's seed from its name. */
function hashLabel(label) {
  let h = 0x811c9dc5;
  for (const c of String(label)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Prng {
  /** `seed` is any integer; `label` names the stream (the root stream has none). */
  constructor(seed, label = "") {
    this.seed = seed;
    this.label = label;
    const mix = splitmix32((Number(seed) >>> 0) ^ hashLabel(label));
    this.s = [mix(), mix(), mix(), mix()];
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextU32() {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    for (let i = 0; i < 4; i++) s[i] >>>= 0;
    return result;
  }

  /** A float in [0, 1). */
  float() {
    return this.nextU32() / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n) {
    if (n <= 0) return 0;
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  chance(p) {
    return this.float() < p;
  }

  pick(items) {
    return items[this.int(items.length)];
  }

  /** One key of `weights` ({ name: weight }), chosen in proportion to its weight; zero weights are never chosen. */
  weighted(weights) {
    const entries = Object.entries(weights).filter(([, w]) => w > 0);
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.float() * total;
    for (const [name, w] of entries) {
      roll -= w;
      if (roll < 0) return name;
    }
    return entries.at(-1)?.[0];
  }

  /** A new in-place order of `items` (Fisher-Yates). */
  shuffle(items) {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** An independent stream named `label` under this one's seed. */
  fork(label) {
    return new Prng(this.seed, this.label ? `${this.label}/${label}` : label);
  }
}

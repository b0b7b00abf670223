// The APIPod stand-in's result images at the sizes the real models return: the pixel count of the requested
// `quality` tier shaped to `aspect_ratio`, with smooth gradients, soft waves, texture at three scales and seeded
// grain so the PNG weighs what a real one does (MBs, not KBs) and so do its scaled-down previews. Rendered once
// per (prompt, size) per process, compressed off the event loop, and cached. `small` keeps the old 256 px images
// for tests that only need an image.
import zlib from "node:zlib";
import { promisify } from "node:util";
import { coloursFor, pngFromRows } from "./png.mjs";

const deflate = promisify(zlib.deflate);

// Pixel count per quality tier: Google documents Nano Banana's tiers as 0.25, 1, 4 and 16 MP ("512px" to "4K",
// e.g. 1K 1:1 = 1024x1024, 4K 16:9 = 5504x3072); Seedream's 2K/4K are the same areas. 3K (Seedream 5.0 lite)
// sits between.
const SIDE = { "512px": 512, "1K": 1024, "2K": 2048, "3K": 3072, "4K": 4096 };

/** The pixel size a real model returns for `quality` at `aspectRatio` (1K for a quality it does not know). */
export function resultSize(quality, aspectRatio) {
  const [w, h] = (aspectRatio ?? "1:1").split(":").map(Number);
  const ratio = w > 0 && h > 0 ? w / h : 1;
  const side = SIDE[quality] ?? 1024;
  const round16 = (n) => Math.max(16, Math.round(n / 16) * 16);
  const height = round16(side / Math.sqrt(ratio));
  return { width: round16(height * ratio), height };
}

/** The old tiny image: 256 px on the long side. */
export function smallSize(aspectRatio) {
  const [w, h] = (aspectRatio ?? "1:1").split(":").map(Number);
  const scale = 256 / Math.max(w || 1, h || 1);
  return { width: Math.max(16, Math.round((w || 1) * scale)), height: Math.max(16, Math.round((h || 1) * scale)) };
}

// 4 MiB of seeded noise, made once: far longer than deflate's 32 KiB window, so it cannot be matched away.
const NOISE_BYTES = 1 << 22;
// Grain of 0..3 per channel on top of the texture below: about 1.4-1.6 bytes per pixel after Sub + deflate, what
// photo-like PNGs weigh (a 4K square ~22 MB), while a 512 px WebP of it is ~40 KB and a 1280 px one ~180 KB.
const NOISE_MASK = 3;
let noiseTable = null;
function noise() {
  if (noiseTable) return noiseTable;
  noiseTable = new Uint8Array(NOISE_BYTES);
  let s = 0x9e3779b9;
  for (let i = 0; i < NOISE_BYTES; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    noiseTable[i] = s & 0xff;
  }
  return noiseTable;
}

function hash(text) {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  return h;
}

// Texture at three scales, as fractions of the long side (a cell is one pixel of a 512 px preview, then 4 and 16),
// so the picture keeps detail when it is scaled down: previews weigh what a real picture's do.
const OCTAVES = [{ cells: 512, amp: 24 }, { cells: 128, amp: 24 }, { cells: 32, amp: 32 }];

/** PNG scanlines for the prompt's picture at width x height, each with the Sub filter (as real encoders pick). */
function scanlines(prompt, width, height) {
  const [a, b] = coloursFor(prompt);
  const table = noise();
  const seed = hash(prompt);
  const stride = width * 3 + 1;
  const rows = Buffer.allocUnsafe(stride * height);
  const fx = 2 + (seed & 7), fy = 2 + ((seed >> 3) & 7);
  const waveX = Float32Array.from({ length: width }, (_, x) => Math.sin((x / width) * Math.PI * fx));
  const waveY = Float32Array.from({ length: height }, (_, y) => Math.cos((y / height) * Math.PI * fy));
  const long = Math.max(width, height);
  // Per octave, the cell column of every x (an index into the noise table, so one lookup per pixel and octave).
  const columns = OCTAVES.map(({ cells }) => Int32Array.from({ length: width }, (_, x) => Math.floor((x * cells) / long) * 104_729));
  const half = NOISE_MASK >> 1;
  const mask = NOISE_BYTES - 1;
  let at = seed % NOISE_BYTES;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    rows[row] = 1; // Sub: each byte stored as the difference from the same channel one pixel left
    const ty = y / height, wy = waveY[y] * 40;
    const [r1, r2, r3] = OCTAVES.map(({ cells }, i) => seed + i * 977 + Math.floor((y * cells) / long) * 7919);
    const [c1, c2, c3] = columns;
    const [k1, k2, k3] = OCTAVES.map(({ amp }) => amp / 255);
    let p0 = 0, p1 = 0, p2 = 0;
    for (let x = 0; x < width; x++) {
      const t = (x / width + ty) / 2;
      const base = waveX[x] * wy + (table[(r1 + c1[x]) & mask] - 128) * k1 + (table[(r2 + c2[x]) & mask] - 128) * k2
        + (table[(r3 + c3[x]) & mask] - 128) * k3;
      const o = row + 1 + x * 3;
      if (at + 3 > NOISE_BYTES) at = 0;
      const v0 = clamp(a[0] + (b[0] - a[0]) * t + base + (table[at] & NOISE_MASK) - half);
      const v1 = clamp(a[1] + (b[1] - a[1]) * t + base + (table[at + 1] & NOISE_MASK) - half);
      const v2 = clamp(a[2] + (b[2] - a[2]) * t + base + (table[at + 2] & NOISE_MASK) - half);
      at += 3;
      rows[o] = v0 - p0; rows[o + 1] = v1 - p1; rows[o + 2] = v2 - p2;
      p0 = v0; p1 = v1; p2 = v2;
    }
    // A row-dependent jump so neighbouring rows never line up in the table.
    at = (at + 7919 * (y + 1)) % NOISE_BYTES;
  }
  return rows;
}

const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : v | 0);

/** Renders a PNG (RGB) without holding the event loop during compression. */
export async function renderPng(prompt, { width, height }) {
  const started = performance.now();
  const rows = scanlines(prompt, width, height);
  // Level 6 with Z_FILTERED, as libpng compresses filtered rows.
  const png = pngFromRows(width, height, await deflate(rows, { level: 6, strategy: zlib.constants.Z_FILTERED }));
  stats.push({ width, height, bytes: png.length, ms: Math.round(performance.now() - started) });
  return png;
}

/** Every render this process made (size, bytes, ms), for the benchmark notes. */
export const stats = [];

// Per process, shared by every stand-in: keyed by prompt and size, oldest dropped past ~400 MB.
const cache = new Map();
let cachedBytes = 0;
const CACHE_LIMIT = 400 * 1024 * 1024;

/** The result PNG for a prompt at a quality and aspect ratio, cached per (prompt, size); `small`: 256 px. */
export function resultPng(prompt, quality, aspectRatio, { small = false } = {}) {
  const size = small ? smallSize(aspectRatio) : resultSize(quality, aspectRatio);
  const key = `${size.width}x${size.height}\n${prompt}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = renderPng(prompt, size).then((png) => {
      cachedBytes += png.length;
      for (const [old, value] of cache) {
        if (cachedBytes <= CACHE_LIMIT || old === key) break;
        cache.delete(old);
        value.then((bytes) => { cachedBytes -= bytes.length; });
      }
      return png;
    });
    cache.set(key, entry);
  }
  return entry;
}

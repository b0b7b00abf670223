// End-to-end: WebP renditions (medium ~1280 px, preview ~512 px) made once through the Images binding (Miniflare
// runs it with sharp), stored in R2, served by `?size=`, deleted with their image, and backfilled by the cron when
// the binding failed or the generation is older than them.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { useWorker, startWorker } from "../support/worker.mjs";
import { asUser } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { generate, settled, r2Keys, waitFor } from "../support/generation-flow.mjs";

const worker = useWorker({ before, after });

/** A WebP file's canvas size, read from its RIFF header: lossy VP8, lossless VP8L or extended VP8X. */
function webpSize(bytes) {
  const b = Buffer.from(bytes);
  assert.equal(b.toString("latin1", 0, 4), "RIFF", "a RIFF container");
  assert.equal(b.toString("latin1", 8, 12), "WEBP", "holding WebP");
  assert.equal(b.readUInt32LE(4) + 8, b.length, "the RIFF length is the file's");
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8 ") {
    assert.deepEqual([...b.subarray(23, 26)], [0x9d, 0x01, 0x2a], "a VP8 key frame");
    return { chunk, width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === "VP8L") {
    assert.equal(b[20], 0x2f, "the VP8L signature");
    const bits = b.readUInt32LE(21);
    return { chunk, width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { chunk, width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  throw new Error(`not a WebP bitstream: ${chunk}`);
}

async function object(handle, key) {
  const found = await handle.bucket.get(key);
  assert.ok(found, `${key} is in R2`);
  return Buffer.from(await found.arrayBuffer());
}

const renditionColumns = "medium_key, medium_etag, medium_bytes, medium_width, medium_height, preview_key, preview_etag, " +
  "preview_bytes, preview_width, preview_height, renditions_tries, renditions_due_at, r2_key";

async function imageRow(handle, imageId) {
  return handle.db.prepare(`SELECT ${renditionColumns} FROM generation_images WHERE id = ?`).bind(imageId).first();
}

/** Waits until the image's renditions are recorded, and returns its row. */
const withRenditions = (handle, imageId) =>
  waitFor(async () => { const row = await imageRow(handle, imageId); return row?.medium_key && row; }, 15_000, "renditions");

/** Both renditions are in R2, WebP, of the recorded size and byte count, at most `long` pixels on the long side. */
async function checkRenditions(handle, row, original) {
  const sizes = {};
  for (const [name, long] of [["medium", 1280], ["preview", 512]]) {
    const bytes = await object(handle, row[`${name}_key`]);
    const { width, height } = webpSize(bytes);
    assert.deepEqual([width, height], [row[`${name}_width`], row[`${name}_height`]], `${name}: D1 records its size`);
    assert.equal(bytes.length, row[`${name}_bytes`], `${name}: D1 records its bytes`);
    const scale = Math.min(1, long / Math.max(original.width, original.height));
    assert.deepEqual([width, height], [Math.round(original.width * scale), Math.round(original.height * scale)], `${name}: aspect kept, never upscaled`);
    assert.ok(row[`${name}_key`].startsWith(`${row.r2_key}.${name}.`), `${name} is stored next to its original`);
    sizes[name] = { width, height, bytes: bytes.length };
  }
  return sizes;
}

describe("renditions made at completion", () => {
  let owner, done, row;
  before(async () => {
    owner = await newPerson(worker, { label: "previewer", pack: true });
    const { body } = await generate(worker, owner.session, { prompt: "A fox in snow", model: "seedream-v4.5", aspect_ratio: "16:9" });
    done = await settled(worker, owner.session, body.id);
    assert.equal(done.status, "succeeded");
    row = await imageRow(worker, done.images[0].id);
  });

  test("the first answer that says succeeded already has versioned preview and medium URLs, both WebP in R2", async () => {
    // `settled` returns the first poll of the API that reported success: the renditions were recorded with it.
    const [image] = done.images;
    assert.ok(row.medium_key && row.preview_key, "recorded in the same batch as the success");
    const version = (key) => row[`${key}_etag`].replace(/^W\//, "").replace(/"/g, "").replace(/[^0-9a-z]/gi, "").slice(0, 16);
    assert.equal(image.medium_url, `/images/${image.id}?size=medium&v=${version("medium")}`);
    assert.equal(image.preview_url, `/images/${image.id}?size=preview&v=${version("preview")}`);
    const sizes = await checkRenditions(worker, row, image);
    assert.ok(image.width > 1280, `a real-size original (${image.width}x${image.height})`);
    assert.deepEqual([sizes.medium.width, sizes.preview.width], [1280, 512], "16:9: the long sides are 1280 and 512 px");
    const settledLine = worker.jsonLogs().find((l) => l.msg === "generation_settled" && l.fields?.generation_id === done.id);
    assert.equal(settledLine.fields.won, true);
    console.log(`renditions made before the success was recorded: ${settledLine.fields.renditions_ms} ms`);
  });

  test("a medium and a preview WebP are in R2 and recorded in D1 after success", async () => {
    const [image] = done.images;
    const sizes = await checkRenditions(worker, row, image);
    assert.deepEqual(sizes.preview.width, Math.min(512, image.width));
    assert.equal(row.renditions_due_at, null, "nothing left for the sweep");
    assert.equal(row.renditions_tries, 0);
    const keys = await r2Keys(worker, `generations/${owner.id}/${done.id}/`);
    assert.deepEqual(keys.sort(), [row.r2_key, row.medium_key, row.preview_key].sort());
  });

  test("the API gives versioned url, medium_url and preview_url; a matching version is cached immutable", async () => {
    const image = (await (await worker.fetch(`/api/generations/${done.id}`, { headers: asUser(worker, owner.session) })).json()).images[0];
    assert.match(image.url, new RegExp(`^/images/${image.id}\\?v=[0-9a-z]+$`));
    assert.match(image.medium_url, new RegExp(`^/images/${image.id}\\?size=medium&v=[0-9a-z]+$`));
    assert.match(image.preview_url, new RegExp(`^/images/${image.id}\\?size=preview&v=[0-9a-z]+$`));
    for (const [url, type, key] of [[image.url, "image/png", row.r2_key], [image.medium_url, "image/webp", row.medium_key], [image.preview_url, "image/webp", row.preview_key]]) {
      const response = await worker.fetch(url, { headers: asUser(worker, owner.session) });
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get("content-type"), type, url);
      assert.equal(response.headers.get("cache-control"), "private, max-age=31536000, immutable", url);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.ok(bytes.equals(await object(worker, key)), `${url} serves ${key}`);
      const etag = response.headers.get("etag");
      const again = await worker.fetch(url, { headers: asUser(worker, owner.session, { "if-none-match": etag }) });
      assert.equal(again.status, 304, `${url} revalidates`);
    }
    const medium = await worker.fetch(`/images/${image.id}?size=medium&v=0ld`, { headers: asUser(worker, owner.session) });
    assert.equal(medium.headers.get("content-type"), "image/webp");
    assert.equal(medium.headers.get("cache-control"), "private, max-age=86400", "another version is not immutable");
    const plain = await worker.fetch(`/images/${image.id}`, { headers: asUser(worker, owner.session) });
    assert.equal(plain.headers.get("content-type"), "image/png", "no size is the original");
    assert.equal(plain.headers.get("cache-control"), "private, max-age=86400");
  });

  test("?size= keeps the access rules: owner, share token, 404 for others, 400 for an unknown size", async () => {
    const image = done.images[0];
    const stranger = await newPerson(worker, { label: "stranger" });
    for (const size of ["preview", "medium", "original"]) {
      const path = `/images/${image.id}?size=${size}`;
      assert.equal((await worker.fetch(path, { headers: asUser(worker, owner.session) })).status, 200, `owner ${size}`);
      assert.equal((await worker.fetch(path, { headers: asUser(worker, stranger.session) })).status, 404, `stranger ${size}`);
      assert.equal((await worker.fetch(path)).status, 404, `anonymous ${size}`);
    }
    for (const bad of ["huge", "", "PREVIEW"]) {
      const response = await worker.fetch(`/images/${image.id}?size=${bad}`, { headers: asUser(worker, owner.session) });
      assert.equal(response.status, 400, bad);
      assert.equal((await response.json()).error.code, "unknown_image_size");
    }

    const shared = await (await worker.fetch(`/api/generations/${done.id}/share`, { method: "POST", headers: asUser(worker, owner.session) })).json();
    const medium = new URL(shared.images[0].share_url);
    assert.equal(medium.searchParams.get("size"), "medium", "the share link is the medium");
    assert.equal(medium.searchParams.get("v"), new URL(image.medium_url, worker.url).searchParams.get("v"), "versioned like the medium");
    const token = medium.searchParams.get("share");
    assert.match(token, /^[0-9a-z]{26}$/);
    const viaShare = await worker.fetch(medium.pathname + medium.search);
    assert.equal(viaShare.status, 200, "anyone with the share link gets the medium");
    assert.equal(viaShare.headers.get("content-type"), "image/webp");
    assert.ok(Buffer.from(await viaShare.arrayBuffer()).equals(await object(worker, row.medium_key)), "the medium's WebP bytes");
    assert.equal((await worker.fetch(`/images/${image.id}?size=preview&share=${token}`)).status, 200);
    assert.equal((await worker.fetch(`/images/${image.id}?size=preview&share=${"0".repeat(26)}`)).status, 404, "a wrong token");
    await worker.fetch(`/api/generations/${done.id}/share`, { method: "DELETE", headers: asUser(worker, owner.session) });
    assert.equal((await worker.fetch(medium.pathname + medium.search)).status, 404, "revoked");
  });

  test("the export lists the renditions and says they are derived", async () => {
    const response = await worker.fetch("/api/me/export", { headers: asUser(worker, owner.session) });
    assert.equal(response.status, 200);
    const exported = await response.json();
    const image = exported.data.generations.find((g) => g.id === done.id).images[0];
    assert.deepEqual(image.medium, { content_type: "image/webp", width: row.medium_width, height: row.medium_height, size_bytes: row.medium_bytes, url: `${worker.url}/images/${image.id}?size=medium` });
    assert.equal(image.preview.width, row.preview_width);
    assert.match(exported.derived_data.image_renditions, /smaller WebP copies/);
  });

  test("deleting the generation deletes its renditions with the original", async () => {
    const response = await worker.fetch(`/api/generations/${done.id}`, { method: "DELETE", headers: asUser(worker, owner.session) });
    assert.equal(response.status, 204);
    for (const key of [row.r2_key, row.medium_key, row.preview_key]) assert.equal(await worker.bucket.head(key), null, key);
    const { results } = await worker.db.prepare("SELECT r2_key FROM r2_deletions WHERE r2_key LIKE ?").bind(`generations/${owner.id}/%`).all();
    assert.deepEqual(results, [], "the to-do was worked off");
  });
});

describe("the backfill of older generations, at production sizes", () => {
  const measured = {};

  /** A detailed PNG (overlapping translucent shapes on a gradient, with film grain): MBs, like real results. */
  async function photo(width, height) {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const shapes = Array.from({ length: 1500 }, () => `<circle cx="${(random() * width).toFixed(1)}" cy="${(random() * height).toFixed(1)}" ` +
      `r="${(4 + random() * width / 12).toFixed(1)}" fill="rgb(${random() * 255 | 0},${random() * 255 | 0},${random() * 255 | 0})" ` +
      `fill-opacity="${(0.2 + random() * 0.6).toFixed(2)}"/>`);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x2="1" y2="1">` +
      `<stop offset="0" stop-color="#123"/><stop offset="1" stop-color="#fc8"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/>${shapes.join("")}</svg>`;
    const grain = await sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 0, sigma: 12 } } }).png().toBuffer();
    return sharp(Buffer.from(svg)).composite([{ input: grain, blend: "add" }]).png().toBuffer();
  }

  test("a generation stored before renditions existed gets them from the cron, 2K and 4K alike", async () => {
    const user = await newPerson(worker, { label: "veteran" });
    const now = Date.now();
    const generationId = "gen_backfillbackfillbackfil0";
    await worker.db.prepare(`INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, quality, cost, status,
      deadline_at, created_at, updated_at, finished_at) VALUES (?, ?, 'Old one', 'seedream-v4.5', 'seedream-v4.5', '16:9', '4K', 4, 'succeeded', ?, ?, ?, ?)`)
      .bind(generationId, user.id, now, now - 60_000, now - 60_000, now - 60_000).run();
    const originals = [["2K", 2048, 1152], ["4K", 4096, 2304]];
    for (const [position, [label, width, height]] of originals.entries()) {
      const png = await photo(width, height);
      const imageId = `img_backfill${label.toLowerCase()}aaaaaaaaaaaaa`.slice(0, 30);
      const key = `generations/${user.id}/${generationId}/${imageId}`;
      const put = await worker.bucket.put(key, new Uint8Array(png));
      // As migration 0009 leaves an older row: renditions due since it was made.
      await worker.db.prepare(`INSERT INTO generation_images (id, generation_id, account_id, position, r2_key, content_type, size_bytes,
        width, height, etag, created_at, renditions_due_at) VALUES (?, ?, ?, ?, ?, 'image/png', ?, ?, ?, ?, ?, ?)`)
        .bind(imageId, generationId, user.id, position, key, png.length, width, height, put.httpEtag, now - 60_000, now - 60_000).run();
      measured[label] = { imageId, width, height, original: png.length };
    }
    await worker.runCron();
    for (const [label, { imageId, width, height, original }] of Object.entries(measured)) {
      const row = await withRenditions(worker, imageId);
      const sizes = await checkRenditions(worker, row, { width, height });
      assert.deepEqual([sizes.medium.width, sizes.medium.height, sizes.preview.width, sizes.preview.height], [1280, 720, 512, 288], label);
      assert.ok(sizes.medium.bytes < original / 4 && sizes.preview.bytes < sizes.medium.bytes, `${label}: the renditions are far smaller`);
      measured[label] = { original, medium: sizes.medium.bytes, preview: sizes.preview.bytes };
    }
    console.log(`rendition bytes: ${JSON.stringify(measured)}`);

    const deleted = await worker.fetch("/api/me", { method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: JSON.stringify({ confirm: "DELETE" }) });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await r2Keys(worker, `generations/${user.id}/`), [], "account deletion removes originals and renditions");
  });
});

describe("when the Images binding fails", () => {
  let broken;
  before(async () => { broken = await startWorker({ images: false }); });
  after(async () => { await broken?.stop(); });

  test("the generation still succeeds, the original is served for every size, and the cron makes the renditions later", async () => {
    const user = await newPerson(broken, { label: "unlucky", pack: true });
    const { body } = await generate(broken, user.session, { prompt: "A heron at dawn", model: "seedream-v4.5", aspect_ratio: "1:1" });
    const done = await settled(broken, user.session, body.id);
    assert.equal(done.status, "succeeded");
    const [image] = done.images;
    // Recorded with the success: one failed attempt, the retry due later.
    const failedRow = await imageRow(broken, image.id);
    assert.equal(failedRow.renditions_tries, 1);
    assert.equal(failedRow.medium_key, null);
    assert.ok(failedRow.renditions_due_at > Date.now(), "retried later");
    assert.ok(broken.logs.some((line) => line.includes("renditions_failed") && line.includes(image.id)), "the failure is logged");
    assert.equal(image.medium_url, `/images/${image.id}?size=medium`, "no version until it exists");
    assert.equal(image.preview_url, `/images/${image.id}?size=preview`);
    const original = await object(broken, failedRow.r2_key);
    for (const url of [image.preview_url, image.medium_url]) {
      const response = await broken.fetch(url, { headers: asUser(broken, user.session) });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "image/png", "the original stands in");
      assert.equal(response.headers.get("cache-control"), "private, no-cache", "and is not kept: the URL will serve the rendition");
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(original));
    }
    assert.deepEqual(await r2Keys(broken, `generations/${user.id}/${body.id}/`), [failedRow.r2_key], "nothing half-made is left");
    const shared = await (await broken.fetch(`/api/generations/${body.id}/share`, { method: "POST", headers: asUser(broken, user.session) })).json();
    const link = new URL(shared.images[0].share_url);
    assert.deepEqual([link.searchParams.get("size"), link.searchParams.get("v")], ["medium", null], "the medium's link, unversioned until it exists");
    const viaShare = await broken.fetch(link.pathname + link.search);
    assert.equal(viaShare.status, 200, "anyone with the share link");
    assert.equal(viaShare.headers.get("content-type"), "image/png", "gets the original while there is no medium");
    assert.ok(Buffer.from(await viaShare.arrayBuffer()).equals(original));

    // The service recovers; once the retry is due, the cron makes them.
    await broken.reconfigure({}, { images: true });
    await broken.runCron();
    assert.equal((await imageRow(broken, image.id)).medium_key, null, "not before the retry is due");
    await broken.db.prepare("UPDATE generation_images SET renditions_due_at = ? WHERE id = ?").bind(Date.now() - 1, image.id).run();
    await broken.runCron();
    const row = await withRenditions(broken, image.id);
    await checkRenditions(broken, row, image);
    assert.equal(row.renditions_due_at, null);
    const later = (await (await broken.fetch(`/api/generations/${body.id}`, { headers: asUser(broken, user.session) })).json()).images[0];
    assert.match(later.preview_url, /\?size=preview&v=/);
    const preview = await broken.fetch(later.preview_url, { headers: asUser(broken, user.session) });
    assert.equal(preview.headers.get("content-type"), "image/webp");
  });
});

// End-to-end, issue 25 (very large accounts): an account of 50,000 generations seeded straight into D1 exports in
// full (streamed page by page, every image and upload with a signed link that works), and its deletion gates at
// once, then converges through bounded chunks (after the response and from the cron) to no personal data in D1 or R2.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { upload, r2Keys, waitFor } from "../support/generation-flow.mjs";
import { seedGenerations } from "../support/gallery-seed.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const worker = useWorker({ before, after });
const GENERATIONS = 50_000;
/** Objects put in R2 for the seeded images: more than one R2 listing page (1000), so the purge pages too. */
const OBJECTS = 1_200;

const json = (session, method, path, body) => worker.fetch(path, {
  method, headers: asUser(worker, session, { "content-type": "application/json" }), body: body === undefined ? undefined : JSON.stringify(body),
});

/** A person with 50,000 finished generations (each with an image row), real uploads and stored objects. */
async function largeAccount(prefix) {
  const user = await newPerson(worker, { label: "large" });
  await seedGenerations(worker.db, user.id, GENERATIONS, { prefix });
  const png = encodePng(24, 24, () => [9, 99, 199]);
  const uploaded = await upload(worker, user.session, png);
  assert.equal(uploaded.response.status, 201);
  const { results: keys } = await worker.db.prepare("SELECT r2_key FROM generation_images WHERE account_id = ? ORDER BY id LIMIT ?").bind(user.id, OBJECTS).all();
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map(({ r2_key }) => worker.bucket.put(r2_key, Uint8Array.from(png))));
  }
  // Personal text beyond generations: a stored Idempotency-Key answer, a support message, an admin's note.
  await worker.db.batch([
    worker.db.prepare("INSERT INTO idempotency_keys (account_id, operation, idem_key, fingerprint, claim, status, body, created_at) VALUES (?, 'create_generation', 'k-large', 'f', 'gen_x', 202, ?, ?)")
      .bind(user.id, `{"prompt":"secret of ${user.name}"}`, Date.now()),
    worker.db.prepare("INSERT INTO support_messages (id, account_id, email, subject, message, status, created_at, updated_at) VALUES (?, ?, ?, 'Hello', ?, 'open', 1, 1)")
      .bind(`sup_large${user.n}`, user.id, user.email, `support text of ${user.name}`),
    worker.db.prepare("INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) VALUES (?, ?, 'admin_adjustment', ?, 0, 0, ?, 1)")
      .bind(`led_large${user.n}`, user.id, `aud_large${user.n}`, `Adjusted by support: goodwill for ${user.name}`),
  ]);
  return { ...user, png, uploadId: uploaded.body.id };
}

describe("a very large account", () => {
  test("exports all 50,000 generations, streamed, with signed links to every image and upload that work without a session", async () => {
    const user = await largeAccount("m");
    const response = await json(user.session, "GET", "/api/me/export");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-disposition"), /attachment; filename="gptimg-export.json"/);
    assert.equal(response.headers.get("cache-control"), "private, no-store");
    const document = JSON.parse(await response.text());
    assert.equal(document.incomplete, undefined, "nothing was left out");
    const { data } = document;
    assert.equal(data.generations.length, GENERATIONS);
    assert.equal(new Set(data.generations.map((g) => g.id)).size, GENERATIONS, "every generation once: the pages neither overlap nor skip");
    const times = data.generations.map((g) => g.created_at);
    assert.ok(times.every((t, i) => i === 0 || times[i - 1] >= t), "newest first across pages");
    assert.ok(data.generations.every((g) => g.images.length === 1 && g.images[0].download_url.includes("/content?exp=")));
    assert.ok(data.credit_ledger.length >= 2 && data.account[0].email === user.email);
    assert.ok(document.links_expire_at > Date.now() / 1000 + 86_400, "the links last long enough to download everything");

    // The links are the bytes, for whoever holds them (no cookie), until they expire.
    const seeded = await worker.db.prepare("SELECT id FROM generation_images WHERE account_id = ? ORDER BY id LIMIT 1").bind(user.id).first("id");
    const image = data.generations.flatMap((g) => g.images).find((i) => i.id === seeded);
    assert.ok(image, "the first seeded image (which has its object) is in the export");
    const imageBytes = await worker.fetch(new URL(image.download_url).pathname + new URL(image.download_url).search);
    assert.equal(imageBytes.status, 200);
    assert.ok(Buffer.from(await imageBytes.arrayBuffer()).equals(Buffer.from(user.png)));
    const uploadEntry = data.uploads.find((u) => u.id === user.uploadId);
    const uploadUrl = new URL(uploadEntry.download_url);
    const uploadBytes = await worker.fetch(uploadUrl.pathname + uploadUrl.search);
    assert.equal(uploadBytes.status, 200);
    assert.ok(Buffer.from(await uploadBytes.arrayBuffer()).equals(Buffer.from(user.png)));
    const signature = uploadUrl.searchParams.get("sig");
    uploadUrl.searchParams.set("sig", (signature[0] === "0" ? "1" : "0") + signature.slice(1));
    const forged = await worker.fetch(uploadUrl.pathname + uploadUrl.search);
    assert.equal(forged.status, 404, "a link is only good as signed");
  });

  test("deletion gates at once and converges through bounded chunks to no personal data in D1 or R2", async () => {
    const user = await largeAccount("n");
    assert.ok((await r2Keys(worker, `generations/${user.id}/`)).length >= 1000);

    // One of its images is shared: public until the deletion begins, not one moment after (its rows stay a while).
    // The oldest of those with a stored object: erasure goes newest first, so its row outlives the first chunks.
    const sharedId = await worker.db.prepare("SELECT i.generation_id FROM (SELECT id, generation_id FROM generation_images WHERE account_id = ?1 ORDER BY id LIMIT ?2) i JOIN generations g ON g.id = i.generation_id ORDER BY g.created_at, g.id LIMIT 1")
      .bind(user.id, OBJECTS).first("generation_id");
    const sharing = await worker.fetch(`/api/generations/${sharedId}/share`, { method: "POST", headers: asUser(worker, user.session) });
    const shared = await sharing.json();
    assert.equal(sharing.status, 200, JSON.stringify(shared));
    const sharePage = new URL(shared.share_page_url).pathname;
    const shareImage = new URL(shared.images[0].share_url);
    assert.equal((await worker.fetch(sharePage)).status, 200);
    assert.equal((await worker.fetch(shareImage.pathname + shareImage.search)).status, 200);

    const response = await json(user.session, "DELETE", "/api/me", { confirm: "DELETE" });
    assert.ok([202, 204].includes(response.status), `answered ${response.status}`);
    assert.equal(await count(worker.db, "generations", "id = ?", sharedId), 1, "the shared row is not erased yet");
    assert.equal((await worker.fetch(sharePage)).status, 404, "the share page is gone at once");
    assert.equal((await worker.fetch(shareImage.pathname + shareImage.search)).status, 404, "and its image");
    // The gate holds from the answer on: no session, no personal field on the account row.
    assert.equal((await json(user.session, "GET", "/api/me")).status, 401);
    const gated = await worker.db.prepare("SELECT email, name, deletion_started_at FROM accounts WHERE id = ?").bind(user.id).first();
    assert.deepEqual({ ...gated, deletion_started_at: gated.deletion_started_at > 0 }, { email: "", name: "Deleted account", deletion_started_at: true });
    assert.equal(response.status, 202, "50,000 generations are not erased inside the request: it answers once the gate is shut");
    assert.equal((await response.json()).status, "deletion_pending");

    // The cron finishes it (a deletion is retried a minute after it began).
    await worker.db.prepare("UPDATE accounts SET deletion_started_at = ? WHERE id = ?").bind(Date.now() - 120_000, user.id).run();
    await waitFor(async () => {
      await worker.runCron();
      return (await worker.db.prepare("SELECT deleted_at FROM accounts WHERE id = ?").bind(user.id).first("deleted_at")) > 0;
    }, 120_000, "the deletion to finish through cron runs");

    for (const table of ["generations", "generation_images", "uploads", "idempotency_keys", "support_messages", "sessions", "api_keys"]) {
      assert.equal(await count(worker.db, table, "account_id = ?", user.id), 0, `${table} is empty of the account`);
    }
    const ledgerText = (await worker.db.prepare("SELECT description FROM credit_ledger WHERE account_id = ?").bind(user.id).all()).results.map((r) => r.description).join("\n");
    assert.ok(!ledgerText.includes(user.name), "no ledger line names the person");
    assert.deepEqual(await r2Keys(worker, `generations/${user.id}/`), []);
    assert.deepEqual(await r2Keys(worker, `uploads/${user.id}/`), []);
    // The to-do drains through later runs; what it still lists is only keys whose objects are already gone.
    const listed = await count(worker.db, "r2_deletions", "r2_key LIKE ?", `%${user.id}%`);
    assert.ok(listed <= GENERATIONS, `${listed} keys left on the to-do`);
  });
});

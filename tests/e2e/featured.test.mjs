// End-to-end: the landing page's featured images. Only admins feature or remove (everyone else, and any API key,
// gets the 404 every admin path gives); only a live share can be featured, by its share link; bad input is a named
// 4xx that changes nothing; the public list shows the prompt only when the owner chose it, is revalidated by ETag,
// and loses an image the moment it is unshared, deleted, or its account erased.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { generate, settled } from "../support/generation-flow.mjs";

const PROMPT = "A glass whale above a night city";
let admin;
let owner;
let done = [];
const worker = useWorker({ before, after }, { apipodImages: "small" }, async (started) => {
  admin = await newPerson(started, { label: "admin", email: "admin@gptimg.test" });
  owner = await newPerson(started, { label: "featured-owner", pack: true });
  const { body, started: answer } = await generate(started, owner.session, { prompt: PROMPT, model: "nano-banana-2", aspect_ratio: "16:9", n: 4 });
  assert.equal(answer.generations.length, 4, JSON.stringify(answer));
  done = await Promise.all(answer.generations.map((g) => settled(started, owner.session, g.id)));
  assert.ok(body && done.every((g) => g.status === "succeeded"));
});

const call = async (path, { method = "GET", person, body, headers = {} } = {}) => {
  const init = { method, headers: person ? asUser(worker, person.session, headers) : { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const response = await worker.fetch(path, init);
  const text = await response.text();
  return { response, status: response.status, body: text ? JSON.parse(text) : null };
};
const share = async (id, show_prompt = false) => (await call(`/api/generations/${id}/share`, { method: "POST", person: owner, body: { show_prompt } })).body;
const feature = (share_link, person = admin) => call("/api/admin/featured", { method: "POST", person, body: { share_link } });
const publicList = async () => (await call("/api/featured")).body.images;
const rows = () => count(worker.db, "featured_images");

describe("featured images", () => {
  test("only admins reach the featuring endpoints; anyone may read the public list", async () => {
    for (const [method, path, body] of [["GET", "/api/admin/featured"], ["POST", "/api/admin/featured", { share_link: "x" }], ["DELETE", "/api/admin/featured/gen_x"]]) {
      for (const person of [undefined, owner]) {
        const { status, body: answer } = await call(path, { method, person, body });
        assert.deepEqual([status, answer.error.code], [404, "route_not_found"], `${method} ${path} as ${person?.email ?? "a stranger"}`);
      }
      const keyed = await call(path, { method, body, headers: { authorization: "Bearer gptimg_abc", origin: worker.url } });
      assert.equal(keyed.status, 404, "an API key never reaches admin paths");
    }
    const listed = await call("/api/featured");
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, { images: [] });
    assert.equal(listed.response.headers.get("cache-control"), "public, no-cache");
    assert.equal((await call("/api/admin/featured", { person: admin })).body.max, 6);
  });

  test("bad input and links that share nothing are refused by name, changing nothing", async () => {
    for (const [body, code] of [[{ share_link: "not a link" }, "invalid_share_link"], [{ share_link: "https://x.test/images/abc" }, "invalid_share_link"]]) {
      const { status, body: answer } = await call("/api/admin/featured", { method: "POST", person: admin, body });
      assert.deepEqual([status, answer.error.code], [400, code]);
    }
    const missing = await call("/api/admin/featured", { method: "POST", person: admin, body: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.code, /^[a-z_]+$/);
    const never = await feature(`${worker.url}/s/${"a".repeat(26)}`);
    assert.deepEqual([never.status, never.body.error.code], [404, "image_not_shared"]);
    const notFeatured = await call("/api/admin/featured/gen_aaaaaaaaaaaaaaaaaaaaaaaaaa", { method: "DELETE", person: admin });
    assert.deepEqual([notFeatured.status, notFeatured.body.error.code], [404, "not_featured"]);
    assert.equal(await rows(), 0);
    assert.equal(await count(worker.db, "audit_log", "action IN ('image_featured', 'image_unfeatured')"), 0);
  });

  test("a featured share is listed publicly with its own shape, the prompt only when its owner shows it", async () => {
    const shared = await share(done[0].id);
    const added = await feature(shared.share_page_url);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.images.map((i) => i.generation_id), [done[0].id]);
    assert.equal((await feature(shared.share_page_url.replace(worker.url, ""))).status, 200, "featuring twice (by path) changes nothing");
    assert.equal(await rows(), 1);
    assert.equal(await count(worker.db, "audit_log", "action = 'image_featured' AND target_id = ?", done[0].id), 1, "one audit entry, never the token");

    const first = await call("/api/featured");
    const [image] = first.body.images;
    assert.equal(image.prompt, null, "hidden unless the owner chose to show it");
    assert.equal(image.share_page_url, shared.share_page_url);
    assert.ok(image.width > image.height && image.height > 0, "16:9, sizes given");
    assert.deepEqual(Object.keys(image).sort(), ["height", "preview_url", "prompt", "share_page_url", "url", "width"]);
    assert.equal(JSON.stringify(first.body).includes(PROMPT), false);
    for (const url of [image.url, image.preview_url]) {
      const bytes = await worker.fetch(new URL(url).pathname + new URL(url).search);
      assert.equal(bytes.status, 200, url);
    }
    const etag = first.response.headers.get("etag");
    assert.match(etag, /^W\/"[0-9a-f]{16}"$/);
    assert.equal((await worker.fetch("/api/featured", { headers: { "if-none-match": etag } })).status, 304);

    await share(done[0].id, true);
    const shown = await publicList();
    assert.equal(shown[0].prompt, PROMPT);
    assert.notEqual((await worker.fetch("/api/featured", { headers: { "if-none-match": etag } })).status, 304, "a changed list is a new ETag");
  });

  test("unsharing takes it off at once, and its old link cannot be featured again", async () => {
    const before_ = (await call(`/api/generations/${done[0].id}`, { person: owner })).body.share_page_url;
    assert.equal((await call(`/api/generations/${done[0].id}/share`, { method: "DELETE", person: owner })).status, 204);
    assert.deepEqual(await publicList(), []);
    assert.equal(await rows(), 0, "the row goes in the unshare's batch");
    const again = await feature(before_);
    assert.deepEqual([again.status, again.body.error.code], [404, "image_not_shared"]);
  });

  test("a row left behind still never shows once the share is gone (the public query checks the share itself)", async () => {
    const shared = await share(done[1].id);
    assert.equal((await feature(shared.share_page_url)).status, 200);
    await worker.db.prepare("UPDATE generations SET share_token = NULL WHERE id = ?").bind(done[1].id).run();
    assert.equal(await rows(), 1);
    assert.deepEqual(await publicList(), []);
    assert.deepEqual((await call("/api/admin/featured", { person: admin })).body.images, []);
    await worker.db.prepare("DELETE FROM featured_images").run();
  });

  test("deleting the generation removes it, and the admin can remove one", async () => {
    const second = await share(done[2].id);
    const third = await share(done[3].id);
    await feature(second.share_page_url);
    await feature(third.share_page_url);
    assert.equal((await publicList()).length, 2);
    assert.equal((await call(`/api/generations/${done[2].id}`, { method: "DELETE", person: owner })).status, 204);
    assert.equal((await publicList()).length, 1);
    assert.equal(await count(worker.db, "featured_images", "generation_id = ?", done[2].id), 0);
    const removed = await call(`/api/admin/featured/${done[3].id}`, { method: "DELETE", person: admin });
    assert.deepEqual([removed.status, removed.body.images], [200, []]);
    assert.equal(await count(worker.db, "audit_log", "action = 'image_unfeatured' AND target_id = ?", done[3].id), 1);
    assert.deepEqual(await publicList(), []);
  });

  test("at most six; erasing the owner's account removes theirs", async () => {
    const other = await newPerson(worker, { label: "featured-many", pack: true });
    const seven = [];
    for (const n of [4, 3]) {
      const { started } = await generate(worker, other.session, { prompt: "Seven small boats", model: "nano-banana-2", aspect_ratio: "1:1", n });
      assert.ok(started.generations, JSON.stringify(started));
      seven.push(...await Promise.all(started.generations.map((g) => settled(worker, other.session, g.id))));
    }
    const links = [];
    for (const g of seven) {
      const answer = await call(`/api/generations/${g.id}/share`, { method: "POST", person: other, body: {} });
      links.push(answer.body.share_page_url);
    }
    for (const link of links.slice(0, 6)) assert.equal((await feature(link)).status, 200);
    const full = await feature(links[6]);
    assert.deepEqual([full.status, full.body.error.code], [409, "featured_full"]);
    assert.equal(await rows(), 6);
    assert.equal((await publicList()).length, 6);

    const erased = await call("/api/me", { method: "DELETE", person: other, body: { confirm: "DELETE" } });
    assert.ok([200, 202, 204].includes(erased.status), `${erased.status} ${JSON.stringify(erased.body)}`);
    assert.deepEqual(await publicList(), [], "an account in deletion shares nothing from that moment");
    assert.deepEqual((await call("/api/admin/featured", { person: admin })).body.images, []);
  });
});

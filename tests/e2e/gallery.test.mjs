// End-to-end: the gallery's filters (prompt search, model, favourites), favourites, keyset paging across filters
// with no duplicates or gaps, multi-delete (R2 objects gone, in-progress and others' kept), bad input, query plans.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, settled, r2Keys, ledgerFor, submittedTask, waitFor } from "../support/generation-flow.mjs";
import { seedGenerations, seedRow, pageQueries, queryPlan, SEED_MODELS } from "../support/gallery-seed.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });

const newUser = () => newPerson(worker, { label: "curator", pack: true });
// One generation per request today; the 202 may also carry `{ generations: [...] }`.
const first = (body) => body.generations?.[0] ?? body;

async function make(user, prompt, model = "nano-banana-2") {
  const { response, body } = await generate(worker, user.session, { prompt, model, aspect_ratio: "1:1" });
  assert.equal(response.status, 202, JSON.stringify(body));
  return first(body).id;
}

async function list(user, query = "") {
  const response = await worker.fetch(`/api/generations?${query}`, { headers: asUser(worker, user.session) });
  return { status: response.status, body: await response.json() };
}
const ids = async (user, query) => {
  const { status, body } = await list(user, query);
  assert.equal(status, 200, JSON.stringify(body));
  return body.generations.map((g) => g.id);
};

const call = (user, method, path, body) => worker.fetch(path, {
  method, headers: asUser(worker, user.session, body === undefined ? {} : { "content-type": "application/json" }),
  body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
});

describe("filters, favourites and multi-delete on real generations", () => {
  let ada;
  let bob;
  const gen = {};
  before(async () => {
    [ada, bob] = [await newUser(), await newUser()];
    gen.fox = await make(ada, "A red fox in the snow", "seedream-v4.5");
    gen.barn = await make(ada, "A RED barn at dawn");
    gen.whale = await make(ada, "A blue whale");
    gen.stall = await make(ada, "A red kite [apipod:stall]", "seedream-v4.5");
    gen.bobs = await make(bob, "A red fox, Bob's");
    for (const id of [gen.fox, gen.barn, gen.whale]) assert.equal((await settled(worker, ada.session, id)).status, "succeeded");
    assert.equal((await settled(worker, bob.session, gen.bobs)).status, "succeeded");
    await submittedTask(worker, "A red kite [apipod:stall]");
  });

  test("search is a case-insensitive substring of the caller's own prompts, newest first", async () => {
    assert.deepEqual(await ids(ada, "q=RED"), [gen.stall, gen.barn, gen.fox]);
    assert.deepEqual(await ids(ada, "q=%20red%20f"), [gen.fox], "trimmed, and spaces inside count");
    assert.deepEqual(await ids(ada, "q=purple"), []);
    assert.deepEqual(await ids(bob, "q=red"), [gen.bobs]);
    assert.deepEqual(await ids(ada, "q=%25"), [], "% is a character, not a wildcard");
  });

  test("model filter, and every filter combined", async () => {
    assert.deepEqual(await ids(ada, "model=nano-banana-2"), [gen.whale, gen.barn]);
    assert.deepEqual(await ids(ada, "model=seedream-v4.5&q=fox"), [gen.fox]);
    assert.deepEqual(await ids(ada, "model=nano-banana-pro"), []);
  });

  test("favourites: owner only, idempotent, shown in the view and filterable", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await call(ada, "PUT", `/api/generations/${gen.fox}/favourite`);
      assert.equal(response.status, 200);
      const view = await response.json();
      assert.equal(view.id, gen.fox);
      assert.equal(view.favourite, true);
    }
    await call(ada, "PUT", `/api/generations/${gen.stall}/favourite`);
    assert.deepEqual(await ids(ada, "favourites=1"), [gen.stall, gen.fox]);
    assert.deepEqual(await ids(ada, "favourites=1&model=seedream-v4.5&q=fox"), [gen.fox]);
    assert.deepEqual(await ids(ada, "favourites=1&model=nano-banana-2"), []);
    const listed = (await list(ada, "")).body.generations;
    assert.deepEqual(listed.map((g) => g.favourite), [true, false, false, true]);

    for (const [method, path] of [["PUT", `/api/generations/${gen.barn}/favourite`], ["DELETE", `/api/generations/${gen.fox}/favourite`]]) {
      const response = await call(bob, method, path);
      assert.equal(response.status, 404);
      assert.equal((await response.json()).error.code, "generation_not_found");
    }
    const malformed = await call(ada, "PUT", "/api/generations/nope/favourite");
    assert.equal(malformed.status, 404);
    assert.deepEqual(await ids(ada, "favourites=1"), [gen.stall, gen.fox], "Bob changed nothing");
    const row = await worker.db.prepare("SELECT favourite FROM generations WHERE id = ?").bind(gen.barn).first();
    assert.equal(row.favourite, 0);

    for (let i = 0; i < 2; i++) {
      const response = await call(ada, "DELETE", `/api/generations/${gen.stall}/favourite`);
      assert.equal(response.status, 200);
      assert.equal((await response.json()).favourite, false);
    }
    assert.deepEqual(await ids(ada, "favourites=1"), [gen.fox]);
  });

  test("bad filters are 400s with named codes", async () => {
    for (const [query, code] of [
      ["model=dall-e", "unknown_model"], [`q=${"a".repeat(201)}`, "search_too_long"], ["q=a%00b", "search_invalid_characters"],
      ["favourites=yes", "invalid_favourites_filter"], ["cursor=zzz", "invalid_cursor"], ["limit=0&q=red", "invalid_limit"],
    ]) {
      const { status, body } = await list(ada, query);
      assert.equal(status, 400, query);
      assert.equal(body.error.code, code, query);
    }
    assert.equal((await list(ada, `q=${"é".repeat(200)}`)).status, 200, "200 characters, not bytes");
  });

  test("multi-delete removes the caller's finished ones with their R2 objects and says why the rest were kept", async () => {
    const credits = await balance(worker, ada.session);
    for (const id of [gen.fox, gen.whale]) {
      await waitFor(async () => (await r2Keys(worker, `generations/${ada.id}/${id}/`)).length === 3, 15_000, "original and renditions");
    }
    const unknown = "gen_0000000000000000000000zzzz";
    const response = await call(ada, "POST", "/api/generations/delete", { ids: [gen.fox, gen.stall, gen.bobs, gen.whale, unknown, "nope", gen.fox] });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      deleted: [gen.fox, gen.whale],
      kept: [
        { id: gen.stall, code: "generation_in_progress" },
        { id: gen.bobs, code: "generation_not_found" },
        { id: unknown, code: "generation_not_found" },
        { id: "nope", code: "generation_not_found" },
      ],
    });
    for (const id of [gen.fox, gen.whale]) {
      assert.deepEqual(await r2Keys(worker, `generations/${ada.id}/${id}/`), [], "original, medium and preview deleted");
      assert.equal(await count(worker.db, "generation_images", "generation_id = ?", id), 0);
      assert.equal((await call(ada, "GET", `/api/generations/${id}`)).status, 404);
    }
    assert.equal(await count(worker.db, "r2_deletions", "r2_key LIKE ?", `generations/${ada.id}/%`), 0, "deleted now, so not left on the to-do");
    assert.deepEqual(await ids(ada, ""), [gen.stall, gen.barn]);
    assert.deepEqual(await ids(bob, ""), [gen.bobs], "Bob's generation is untouched");
    assert.equal((await r2Keys(worker, `generations/${bob.id}/${gen.bobs}/`)).length, 3);
    assert.equal(await balance(worker, ada.session), credits, "deleting refunds and charges nothing");
    assert.deepEqual(await ledgerFor(worker, gen.fox), [{ kind: "generation_debit", amount: -4 }], "the ledger keeps its history");
  });

  test("bad multi-delete requests are 4xx with named codes and change nothing", async () => {
    const before_ = await count(worker.db, "generations");
    const many = Array.from({ length: 101 }, (_, i) => `gen_${String(i).padStart(26, "0")}`);
    for (const [body, status, code] of [
      [{ ids: [] }, 400, "no_ids"], [{ ids: many }, 400, "too_many_ids"], [{}, 400, "invalid_request_body"],
      [{ ids: [1] }, 400, "invalid_request_body"], [{ ids: [gen.barn], extra: true }, 400, "invalid_request_body"], ["{", 400, "malformed_json"],
    ]) {
      const response = await call(ada, "POST", "/api/generations/delete", body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal((await response.json()).error.code, code, JSON.stringify(body));
    }
    const plain = await worker.fetch("/api/generations/delete", { method: "POST", headers: asUser(worker, ada.session, { "content-type": "text/plain" }), body: JSON.stringify({ ids: [gen.barn] }) });
    assert.equal(plain.status, 415);
    const crossSite = await worker.fetch("/api/generations/delete", { method: "POST", headers: { ...asUser(worker, ada.session, { "content-type": "application/json" }), origin: "https://evil.example" }, body: JSON.stringify({ ids: [gen.barn] }) });
    assert.equal(crossSite.status, 403);
    const anonymous = await worker.fetch("/api/generations/delete", { method: "POST", headers: { origin: worker.url, "content-type": "application/json" }, body: JSON.stringify({ ids: [gen.barn] }) });
    assert.equal(anonymous.status, 401);
    assert.equal(await count(worker.db, "generations"), before_);
    assert.deepEqual(await ids(ada, ""), [gen.stall, gen.barn]);
  });

  test("`delete` is never taken for a generation id", async () => {
    const response = await call(ada, "DELETE", "/api/generations/delete");
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "POST");
    assert.equal((await call(ada, "GET", `/api/generations/${gen.barn}`)).status, 200);
  });
});

describe("keyset paging across filters", () => {
  const N = 130;
  const T0 = 1_780_000_000_000;
  let carol;
  before(async () => {
    carol = await newPerson(worker, { label: "pager" });
    await seedGenerations(worker.db, carol.id, N, { prefix: "p", t0: T0 });
  });

  const expected = (keep) => Array.from({ length: N }, (_, i) => seedRow("p", i, T0)).filter(keep)
    .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1)).map((r) => r.id);

  async function walk(query, limit) {
    const seen = [];
    let cursor = null;
    for (let pages = 0; pages < 200; pages++) {
      const { status, body } = await list(carol, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(body.generations.length <= limit);
      seen.push(...body.generations.map((g) => g.id));
      cursor = body.next_cursor;
      if (!cursor) return seen;
    }
    assert.fail("paging did not end");
  }

  for (const [name, query, keep] of [
    ["everything", "", () => true],
    ["search", "q=Cat", (r) => r.prompt.toLowerCase().includes("cat")],
    ["model", `model=${SEED_MODELS[1]}`, (r) => r.model === SEED_MODELS[1]],
    ["favourites", "favourites=1", (r) => r.favourite],
    ["all three", `favourites=1&model=${SEED_MODELS[0]}&q=cat`, (r) => r.favourite && r.model === SEED_MODELS[0] && r.prompt.toLowerCase().includes("cat")],
  ]) {
    test(`${name}: every match exactly once, in order, across pages (ties on created_at broken by id)`, async () => {
      const want = expected(keep);
      assert.ok(want.length > 0);
      for (const limit of [7, 100]) assert.deepEqual(await walk(query, limit), want, `${name} limit ${limit}`);
    });
  }
});

describe("each filter's page query walks its index", () => {
  test("no table scan and no temporary b-tree for ORDER BY", async () => {
    const binds = ["acc_x", 2 ** 53, "~", 25, null, null];
    for (const [index, sql] of Object.entries(pageQueries())) {
      for (const search of [null, "cat"]) {
        const model = index === "generations_by_account_model" ? SEED_MODELS[0] : null;
        const plan = await queryPlan(worker.db, sql, [binds[0], binds[1], binds[2], binds[3], search, model]);
        assert.ok(plan.some((line) => line.startsWith(`SEARCH g USING `) && line.includes(`INDEX ${index} (account_id=?`) && line.includes("(created_at,id)<(?,?)")), `${index}: ${plan.join(" | ")}`);
        assert.ok(!plan.some((line) => /^SCAN (g|generations)\b/.test(line) || line.includes("TEMP B-TREE")), `${index}: ${plan.join(" | ")}`);
        assert.ok(plan.some((line) => line.includes("generation_images USING INDEX")), `images by their generation: ${plan.join(" | ")}`);
      }
    }
  });
});

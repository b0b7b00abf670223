// End-to-end: APIPod results at their real sizes — the stand-in renders the pixel count of the requested quality
// shaped to the aspect ratio, PNGs weigh MBs, and the Worker stores a 4K result whole. `apipodImages: "small"`
// keeps the old 256 px results for tests that only need an image.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { TEST_SECRETS } from "../support/env.mjs";
import { asUser } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { balance } from "../support/billing-flow.mjs";
import { generate, settled, r2Keys, apipodSaw } from "../support/generation-flow.mjs";
import { checkApipodAnswers } from "../support/contract-shape.mjs";
import { resultSize, resultPng, stats } from "../support/fakes/apipod-images.mjs";
import { startFakes } from "../support/fakes/server.mjs";

const worker = useWorker({ before, after });

/** Width and height from a PNG's IHDR. */
const pngSize = (png) => [png.readUInt32BE(16), png.readUInt32BE(20)];

describe("the stand-in's result images", () => {
  test("each quality tier is its real pixel count at the asked aspect ratio", () => {
    const sizes = Object.fromEntries([["512px", "1:1"], ["1K", "1:1"], ["2K", "1:1"], ["2K", "16:9"], ["4K", "1:1"], ["4K", "9:16"], ["4K", "21:9"]]
      .map(([q, ar]) => [`${q} ${ar}`, Object.values(resultSize(q, ar))]));
    assert.deepEqual(sizes, {
      "512px 1:1": [512, 512], "1K 1:1": [1024, 1024], "2K 1:1": [2048, 2048], "2K 16:9": [2736, 1536],
      "4K 1:1": [4096, 4096], "4K 9:16": [3072, 5456], "4K 21:9": [6272, 2688],
    });
  });

  test("a 1K PNG weighs over a MB, is rendered once per prompt and size, and differs by prompt", async () => {
    const rendersBefore = stats.length;
    const first = await resultPng("size check: a harbour", "1K", "1:1");
    const again = await resultPng("size check: a harbour", "1K", "1:1");
    const other = await resultPng("size check: a forest", "1K", "1:1");
    assert.deepEqual(pngSize(first), [1024, 1024]);
    assert.ok(first.length > 1_000_000, `${first.length} bytes`);
    assert.equal(again, first, "the cached buffer, not a second render");
    assert.ok(!other.equals(first));
    assert.equal(stats.length - rendersBefore, 2, "three asks, two renders");
  });

  test("`apipodImages: \"small\"` serves 256 px results through the documented endpoints", async () => {
    const fakes = await startFakes({ secrets: TEST_SECRETS, plans: "[]", appUrl: () => "http://127.0.0.1:9", apipodImages: "small" });
    try {
      const headers = { authorization: `Bearer ${TEST_SECRETS.APIPOD_API_KEY}`, "content-type": "application/json" };
      const submitted = await (await fetch(`${fakes.url}/apipod/v1/images/generations`, {
        method: "POST", headers, body: JSON.stringify({ model: "seedream-v4.5", prompt: "small one [apipod-delay:10]", aspect_ratio: "16:9", quality: "4K" }),
      })).json();
      let status;
      for (let i = 0; i < 50 && status?.data?.status !== "completed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = await (await fetch(`${fakes.url}/apipod/v1/images/status/${submitted.data.task_id}`, { headers })).json();
      }
      const png = Buffer.from(await (await fetch(status.data.result[0])).arrayBuffer());
      assert.deepEqual(pngSize(png), [256, 144]);
      checkApipodAnswers(fakes.apipod.state.answers);
    } finally {
      await fakes.close();
    }
  });
});

describe("the Worker with real-size results", () => {
  test("a Nano Banana 2 4K result (4096x4096, ~22 MB) is stored whole and served byte for byte", async () => {
    const user = await newPerson(worker, { label: "big", pack: true });
    const prompt = "A 4K poster of a lighthouse";
    const { response, body } = await generate(worker, user.session, { prompt, model: "nano-banana-2", aspect_ratio: "1:1", quality: "4K" });
    assert.equal(response.status, 202);
    const done = await settled(worker, user.session, body.id, 60_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.failure));
    const { tasks: [task] } = apipodSaw(worker, prompt);
    const [image] = done.images;
    assert.deepEqual([image.width, image.height, image.size_bytes], [4096, 4096, task.png.length]);
    assert.ok(task.png.length > 20 * 1024 * 1024 && task.png.length < 25 * 1024 * 1024, `${task.png.length} bytes: real`);
    const [key] = await r2Keys(worker, `generations/${user.id}/${body.id}/`);
    assert.equal((await worker.bucket.head(key)).size, task.png.length);
    const served = Buffer.from(await (await worker.fetch(image.url, { headers: asUser(worker, user.session) })).arrayBuffer());
    assert.ok(served.equals(task.png));
    assert.equal(await balance(worker, user.session), 110 - 5, "charged the 4K price once");
    checkApipodAnswers(worker.fakes.apipod.state.answers);
  });

  // Gemini's 4K tier is 16 MP at every ratio, so 8:1 is 11648x1456: longer than any upload may be (8192), within
  // what a result may be (images::RESULT_LIMITS).
  test("a Nano Banana 2 4K 8:1 result (11648x1456) is delivered, not refunded", async () => {
    const user = await newPerson(worker, { label: "wide", pack: true });
    const prompt = "A very wide panorama";
    const { body } = await generate(worker, user.session, { prompt, model: "nano-banana-2", aspect_ratio: "8:1", quality: "4K" });
    const done = await settled(worker, user.session, body.id, 60_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.failure));
    const { tasks: [task] } = apipodSaw(worker, prompt);
    const [image] = done.images;
    assert.deepEqual([image.width, image.height, image.size_bytes], [11648, 1456, task.png.length]);
    const served = Buffer.from(await (await worker.fetch(image.url, { headers: asUser(worker, user.session) })).arrayBuffer());
    assert.ok(served.equals(task.png));
    assert.equal(await balance(worker, user.session), 110 - 5, "charged once, nothing refunded");
  });
});

// A request body refused part-way (over its cap) must not hold up the requests after it. Run behind `wrangler
// dev`, the README's local command: its proxy forwards a body as it arrives, and a body the Worker stops reading
// once the client has sent all of it stalled every following request until that client hung up (30 s and more).
// Plain workerd (Miniflare, production) never stalled; the Worker now reads a refused body to its end, within
// bounds, before answering.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signIn } from "../support/google-flow.mjs";
import { startWranglerDev } from "../support/wrangler-dev.mjs";

const MIB = 1 << 20;
// Generous, so the test is not timing-fragile: a following request is answered in milliseconds, a stalled one
// only when the client that sent the refused body goes away.
const PROMPT_MS = 5000;

/** A body of `mib` MiB sent chunked (no Content-Length), every byte of it handed to the connection at once. */
function chunkedBody(mib) {
  const piece = Buffer.alloc(MIB, 0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < mib) controller.enqueue(piece);
      else controller.close();
    },
  });
}

/** How long a fresh `GET /healthz` takes; fails the test if it is not answered within `PROMPT_MS`. */
async function healthzMillis(dev) {
  const started = Date.now();
  const response = await fetch(`${dev.url}/healthz`, { signal: AbortSignal.timeout(PROMPT_MS) })
    .catch((error) => assert.fail(`GET /healthz after the refusal was not answered within ${PROMPT_MS} ms (${error.name})`));
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  return Date.now() - started;
}

describe("a refused request body does not stall the requests after it (wrangler dev)", () => {
  let dev;
  before(async () => { dev = await startWranglerDev(); });
  after(async () => { await dev?.stop(); });

  test("a 12 MiB chunked upload is refused with 413 image_too_large, and the next request is answered promptly", async () => {
    const { session } = await signIn(dev);
    assert.ok(session, "signed in");
    const response = await dev.fetch("/api/uploads", {
      method: "POST",
      headers: { cookie: `gptimg_session=${session}`, origin: dev.url, "content-type": "image/png" },
      body: chunkedBody(12),
      duplex: "half",
    });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, "image_too_large");
    assert.ok(await healthzMillis(dev) < PROMPT_MS);
    // And again on the same kept-alive connection pool, as a browser would go on.
    const me = await dev.fetch("/api/me", { headers: { cookie: `gptimg_session=${session}` }, signal: AbortSignal.timeout(PROMPT_MS) });
    assert.equal(me.status, 200);
  });

  test("a 2 MiB chunked webhook delivery is refused with 413 body_too_large, and the next request is answered promptly", async () => {
    const response = await dev.fetch("/webhooks/stripe", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" },
      body: chunkedBody(2),
      duplex: "half",
    });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, "body_too_large");
    assert.ok(await healthzMillis(dev) < PROMPT_MS);
  });
});

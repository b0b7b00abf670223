// End-to-end: the cookies of a site served over https carry the prefixes browsers enforce — the session's
// `__Host-` (Secure, Path=/, no Domain: no subdomain or plain-http page can plant or overwrite it) and the OAuth
// state's `__Secure-` — and only those names are read. (The Worker decides from APP_URL; the test talks to it over
// loopback with the Origin a browser on that site would send.)
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { setCookies } from "../support/google-flow.mjs";

const SITE = "https://gptimg.test";
const worker = useWorker({ before, after }, { bindings: { APP_URL: SITE } });

/** Start → the stand-in's approve form → the callback, sending the state cookie under `stateName`. */
async function signInOverHttps(stateName = "__Secure-gptimg_oauth") {
  const start = await worker.fetch("/auth/google/start");
  const state = setCookies(start).get("__Secure-gptimg_oauth");
  const authorize = new URL(start.headers.get("location"));
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), name: "Ada", email: "ada@gptimg.test", scenario: "normal" });
  const approve = await fetch(new URL("approve", authorize), { method: "POST", body: form, redirect: "manual" });
  const back = new URL(approve.headers.get("location"));
  assert.equal(back.origin, SITE);
  const callback = await worker.fetch(back.pathname + back.search, { headers: { cookie: `${stateName}=${state.value}` } });
  return { start, state, callback };
}

describe("cookies over https", () => {
  test("the OAuth state is a __Secure- cookie and the session a __Host- cookie; the bare names are never set", async () => {
    const { start, state, callback } = await signInOverHttps();
    assert.equal(setCookies(start).get("gptimg_oauth"), undefined);
    for (const flag of ["secure", "httponly", "samesite=lax", "path=/auth/google"]) assert.ok(state.attributes.includes(flag), flag);
    assert.equal(callback.status, 302);
    const cookies = setCookies(callback);
    assert.equal(cookies.get("gptimg_session"), undefined);
    const session = cookies.get("__Host-gptimg_session");
    assert.match(session.value, /^[A-Za-z0-9_-]{43}$/);
    for (const flag of ["secure", "httponly", "samesite=lax", "path=/"]) assert.ok(session.attributes.includes(flag), flag);
    assert.ok(!session.attributes.some((a) => a.startsWith("domain=")), "a __Host- cookie has no Domain");
    assert.equal(cookies.get("__Secure-gptimg_oauth").value, "", "the state cookie is cleared under its own name");

    const me = await worker.fetch("/api/me", { headers: { cookie: `__Host-gptimg_session=${session.value}` } });
    assert.equal(me.status, 200);
    // The same token under the bare name (which anything on a subdomain or over plain http could have planted)
    // signs nobody in.
    const planted = await worker.fetch("/api/me", { headers: { cookie: `gptimg_session=${session.value}` } });
    assert.equal(planted.status, 401);

    const logout = await worker.fetch("/auth/logout", { method: "POST", headers: { cookie: `__Host-gptimg_session=${session.value}`, origin: SITE } });
    assert.equal(logout.status, 204);
    const cleared = setCookies(logout).get("__Host-gptimg_session");
    assert.equal(cleared.value, "");
    assert.ok(cleared.attributes.includes("secure") && cleared.attributes.includes("path=/"));
    assert.equal((await worker.fetch("/api/me", { headers: { cookie: `__Host-gptimg_session=${session.value}` } })).status, 401);
  });

  test("a state cookie under the bare name does not complete a sign-in", async () => {
    const { callback } = await signInOverHttps("gptimg_oauth");
    assert.equal(callback.status, 400);
    assert.equal(setCookies(callback).get("__Host-gptimg_session"), undefined);
  });
});

// End-to-end: Google sign-in through the stand-in, sessions, the account, and every way sign-in must fail.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../support/worker.mjs";
import { signIn, setCookies, count, asUser } from "../support/google-flow.mjs";

const worker = useWorker({ before, after });

const me = (session, extra) => worker.fetch("/api/me", { headers: session ? asUser(worker, session, extra) : extra });

async function tableCounts() {
  return {
    accounts: await count(worker.db, "accounts"),
    sessions: await count(worker.db, "sessions"),
    ledger: await count(worker.db, "credit_ledger"),
  };
}

describe("a successful sign-in", () => {
  test("creates one account with signup credits, one session, and redirects to /app with safe cookies", async () => {
    const before = await tableCounts();
    const flow = await signIn(worker, { email: "first@gptimg.test", name: "First Person" });

    const startCookie = setCookies(flow.start).get("gptimg_oauth");
    assert.ok(startCookie.attributes.includes("httponly"));
    assert.ok(startCookie.attributes.includes("samesite=lax"));
    assert.ok(startCookie.attributes.some((a) => /^max-age=\d+$/.test(a) && Number(a.split("=")[1]) <= 600));
    assert.equal(flow.authorize.searchParams.get("code_challenge_method"), "S256");
    assert.ok(flow.authorize.searchParams.get("nonce"));

    assert.equal(flow.callback.status, 302);
    assert.equal(flow.callback.headers.get("location"), "/app");
    const cookies = setCookies(flow.callback);
    const session = cookies.get("gptimg_session");
    assert.match(session.value, /^[A-Za-z0-9_-]{43}$/);
    for (const flag of ["httponly", "samesite=lax", "path=/"]) assert.ok(session.attributes.includes(flag), flag);
    assert.ok(!session.attributes.includes("secure"), "plain-http localhost gets no Secure flag");
    assert.equal(cookies.get("gptimg_oauth").value, "", "the sign-in state cookie is cleared");

    const after = await tableCounts();
    assert.deepEqual(after, { accounts: before.accounts + 1, sessions: before.sessions + 1, ledger: before.ledger + 1 });
    const stored = await worker.db.prepare("SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1").first();
    assert.notEqual(stored.token_hash, session.value, "tokens are stored hashed");

    const response = await me(session.value);
    assert.equal(response.status, 200);
    const profile = await response.json();
    assert.equal(profile.email, "first@gptimg.test");
    assert.equal(profile.name, "First Person");
    assert.equal(profile.credits, 10);
    assert.equal(profile.avatar_url, "/api/me/avatar");
    assert.equal(profile.is_admin, false);
    const grant = await worker.db.prepare("SELECT kind, amount, balance_after FROM credit_ledger WHERE account_id = ?").bind(profile.id).all();
    assert.deepEqual(grant.results, [{ kind: "signup_grant", amount: 10, balance_after: 10 }]);
  });

  test("signing in again reuses the account, refreshes the profile and grants nothing more", async () => {
    const first = await signIn(worker, { email: "again@gptimg.test", name: "Old Name" });
    const firstProfile = await (await me(first.session)).json();
    const before = await tableCounts();
    const second = await signIn(worker, { email: "again@gptimg.test", name: "New Name" });
    assert.equal(second.callback.status, 302);
    const secondProfile = await (await me(second.session)).json();
    assert.equal(secondProfile.id, firstProfile.id);
    assert.equal(secondProfile.name, "New Name");
    assert.equal(secondProfile.credits, 10);
    assert.deepEqual(await tableCounts(), { ...before, sessions: before.sessions + 1 });
    assert.equal((await me(first.session)).status, 200, "the earlier session still works");
  });

  test("a Google email change is picked up for the same subject", async () => {
    const first = await signIn(worker, { email: "old-address@gptimg.test", sub: "5550001" });
    const second = await signIn(worker, { email: "new-address@gptimg.test", sub: "5550001" });
    const [a, b] = [await (await me(first.session)).json(), await (await me(second.session)).json()];
    assert.equal(a.id, b.id);
    assert.equal(b.email, "new-address@gptimg.test");
  });

  test("a name the user corrected survives later sign-ins", async () => {
    const first = await signIn(worker, { email: "keeps-name@gptimg.test", name: "Google Name" });
    const patch = await worker.fetch("/api/me", { method: "PATCH", headers: asUser(worker, first.session, { "content-type": "application/json" }), body: JSON.stringify({ name: "  Chosen Name " }) });
    assert.equal(patch.status, 200);
    assert.equal((await patch.json()).name, "Chosen Name");
    const second = await signIn(worker, { email: "keeps-name@gptimg.test", name: "Google Name" });
    assert.equal((await (await me(second.session)).json()).name, "Chosen Name");
  });

  test("return_to keeps same-site paths and turns open-redirect attempts into /app", async () => {
    const kept = await signIn(worker, { email: "redirect@gptimg.test", returnTo: "/gallery?page=2" });
    assert.equal(kept.callback.headers.get("location"), "/gallery?page=2");
    for (const evil of ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "/\t/evil.example"]) {
      const flow = await signIn(worker, { email: "redirect@gptimg.test", returnTo: evil });
      assert.equal(flow.callback.headers.get("location"), "/app", evil);
    }
  });

  test("the avatar is served same-origin", async () => {
    const flow = await signIn(worker, { email: "avatar@gptimg.test" });
    const response = await worker.fetch("/api/me/avatar", { headers: asUser(worker, flow.session) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "image/png");
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  });

  test("the token exchange carries the callback's request id as x-request-id", async () => {
    const flow = await signIn(worker, { email: "traced@gptimg.test" });
    assert.equal(flow.callback.status, 302);
    const requestId = flow.callback.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(worker.fakes.google.state.tokenRequestIds.at(-1), requestId);
  });

  test("Google's signing keys are fetched once and then cached", async () => {
    const before = worker.fakes.google.state.jwksRequests;
    await signIn(worker, { email: "cache-1@gptimg.test" });
    await signIn(worker, { email: "cache-2@gptimg.test" });
    assert.ok(worker.fakes.google.state.jwksRequests - before <= 1);
  });
});

describe("a sign-in that must fail", () => {
  const REJECTED = {
    bad_signature: "id_token_bad_signature",
    unknown_kid: "id_token_unknown_key",
    wrong_aud: "id_token_wrong_audience",
    wrong_iss: "id_token_wrong_issuer",
    expired: "id_token_expired",
    wrong_nonce: "id_token_nonce_mismatch",
    email_unverified: "email_not_verified",
    alg_none: "id_token_algorithm",
    alg_hs256: "id_token_algorithm",
  };

  for (const [scenario, code] of Object.entries(REJECTED)) {
    test(`${scenario}: a readable 400 page, no account and no session`, async () => {
      const before = await tableCounts();
      const flow = await signIn(worker, { email: `${scenario}@gptimg.test`, scenario });
      assert.equal(flow.callback.status, 400);
      assert.match(flow.callback.headers.get("content-type"), /text\/html/);
      const page = await flow.callback.text();
      assert.match(page, /Sign-in failed/);
      assert.ok(page.includes(code), `page names ${code}`);
      assert.equal(flow.session, null);
      assert.deepEqual(await tableCounts(), before);
    });
  }

  test("a state mismatch is refused", async () => {
    const before = await tableCounts();
    const flow = await signIn(worker, { email: "mismatch@gptimg.test" });
    const other = await worker.fetch("/auth/google/start");
    const otherCookie = setCookies(other).get("gptimg_oauth").value;
    // Replay the same callback but with another attempt's state cookie.
    const response = await worker.fetch(flow.callbackPath.replace(/code=[^&]+/, "code=whatever"), { headers: { cookie: `gptimg_oauth=${otherCookie}` } });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /state_mismatch/);
    assert.deepEqual(await tableCounts(), { ...before, accounts: before.accounts + 1, sessions: before.sessions + 1, ledger: before.ledger + 1 });
  });

  test("a missing state cookie is refused and Google is never asked", async () => {
    const before = await tableCounts();
    const tokenRequests = worker.fakes.google.state.tokenRequests;
    const start = await worker.fetch("/auth/google/start");
    const state = new URL(start.headers.get("location")).searchParams.get("state");
    const response = await worker.fetch(`/auth/google/callback?code=abc&state=${state}`);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /missing_state/);
    assert.equal(worker.fakes.google.state.tokenRequests, tokenRequests);
    assert.deepEqual(await tableCounts(), before);
  });

  test("a forged state cookie is refused", async () => {
    const response = await worker.fetch("/auth/google/callback?code=abc&state=xyz", { headers: { cookie: "gptimg_oauth=forged.value" } });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /invalid_state/);
  });

  test("a replayed code creates no second session", async () => {
    const flow = await signIn(worker, { email: "replay@gptimg.test" });
    assert.equal(flow.callback.status, 302);
    const before = await tableCounts();
    const replay = await worker.fetch(flow.callbackPath, { headers: { cookie: `gptimg_oauth=${flow.oauthCookie}` } });
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /code_rejected/);
    assert.equal(setCookies(replay).get("gptimg_session"), undefined);
    assert.deepEqual(await tableCounts(), before);
  });

  test("the visitor cancelling at Google gets a readable page", async () => {
    const response = await worker.fetch("/auth/google/callback?error=access_denied&state=x");
    assert.equal(response.status, 400);
    assert.match(await response.text(), /Sign-in cancelled/);
  });

  test("a failing token endpoint gives a readable 502 page, not a 500", async () => {
    const before = await tableCounts();
    const flow = await signIn(worker, { email: "down@gptimg.test", scenario: "token_endpoint_down" });
    assert.equal(flow.callback.status, 502);
    assert.match(await flow.callback.text(), /Google is not responding/);
    assert.deepEqual(await tableCounts(), before);
  });
});

describe("sessions", () => {
  test("without a session, or with a junk cookie, /api/me is 401 not_signed_in", async () => {
    for (const headers of [{}, { cookie: "gptimg_session=junk" }, { cookie: `gptimg_session=${"A".repeat(43)}` }]) {
      const response = await worker.fetch("/api/me", { headers });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.code, "not_signed_in");
    }
  });

  test("logout revokes the session at once and clears the cookie", async () => {
    const flow = await signIn(worker, { email: "logout@gptimg.test" });
    assert.equal((await me(flow.session)).status, 200);
    const response = await worker.fetch("/auth/logout", { method: "POST", headers: asUser(worker, flow.session) });
    assert.equal(response.status, 204);
    assert.equal(setCookies(response).get("gptimg_session").value, "");
    assert.equal((await me(flow.session)).status, 401);
    const row = await worker.db.prepare("SELECT revoked_at FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE email = ?)").bind("logout@gptimg.test").first();
    assert.ok(row.revoked_at > 0);
  });

  test("an expired session stops working at once", async () => {
    const flow = await signIn(worker, { email: "expiry@gptimg.test" });
    assert.equal((await me(flow.session)).status, 200);
    await worker.db.prepare("UPDATE sessions SET expires_at = ? WHERE account_id = (SELECT id FROM accounts WHERE email = ?)").bind(Date.now() - 1, "expiry@gptimg.test").run();
    assert.equal((await me(flow.session)).status, 401);
  });
});

describe("the profile", () => {
  let session;
  before(async () => { session = (await signIn(worker, { email: "profile@gptimg.test", name: "Profile Person" })).session; });
  const nameNow = async () => (await (await me(session)).json()).name;
  const patch = (body, extra = {}) => worker.fetch("/api/me", {
    method: "PATCH", headers: asUser(worker, session, { "content-type": "application/json", ...extra }), body,
  });

  test("a cross-origin PATCH is 403 and changes nothing", async () => {
    for (const headers of [{ origin: "https://evil.example" }, { origin: "null" }, { origin: worker.url, "sec-fetch-site": "cross-site" }]) {
      const response = await patch(JSON.stringify({ name: "Hacked" }), headers);
      assert.equal(response.status, 403);
      assert.equal((await response.json()).error.code, "cross_origin_request");
    }
    assert.equal(await nameNow(), "Profile Person");
  });

  test("a cross-origin logout is 403 and the session lives on", async () => {
    const response = await worker.fetch("/auth/logout", { method: "POST", headers: asUser(worker, session, { origin: "https://evil.example" }) });
    assert.equal(response.status, 403);
    assert.equal((await me(session)).status, 200);
  });

  test("invalid names are 422 with a named code and change nothing", async () => {
    for (const [name, code] of [["   ", "name_empty"], ["x".repeat(81), "name_too_long"], ["Bad\u0000Name", "name_invalid_characters"], ["Two\nLines", "name_invalid_characters"]]) {
      const response = await patch(JSON.stringify({ name }));
      assert.equal(response.status, 422, code);
      assert.equal((await response.json()).error.code, code);
    }
    assert.equal(await nameNow(), "Profile Person");
  });

  test("malformed bodies are 400, wrong media types 415, and change nothing", async () => {
    for (const [body, code] of [["{", "malformed_json"], [JSON.stringify({ name: 5 }), "invalid_request_body"], [JSON.stringify({ name: "X", admin: true }), "invalid_request_body"], ["{}", "invalid_request_body"]]) {
      const response = await patch(body);
      assert.equal(response.status, 400, body);
      assert.equal((await response.json()).error.code, code);
    }
    const wrongType = await patch(JSON.stringify({ name: "X" }), { "content-type": "text/plain" });
    assert.equal(wrongType.status, 415);
    assert.equal(await nameNow(), "Profile Person");
  });

  test("PATCH without a session is 401", async () => {
    const response = await worker.fetch("/api/me", { method: "PATCH", headers: { "content-type": "application/json", origin: worker.url }, body: JSON.stringify({ name: "X" }) });
    assert.equal(response.status, 401);
  });

  test("a valid name is trimmed and saved", async () => {
    const response = await patch(JSON.stringify({ name: "  Corrected Name  " }));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).name, "Corrected Name");
    assert.equal(await nameNow(), "Corrected Name");
  });
});

describe("the session probe", () => {
  test("GET /api/session is 200 either way and shows the account only when signed in", async () => {
    const anonymous = await worker.fetch("/api/session");
    assert.equal(anonymous.status, 200);
    assert.deepEqual(await anonymous.json(), { signed_in: false, account: null });
    const flow = await signIn(worker, { email: "probe@gptimg.test", name: "Probe" });
    const signedIn = await (await worker.fetch("/api/session", { headers: asUser(worker, flow.session) })).json();
    assert.equal(signedIn.signed_in, true);
    assert.equal(signedIn.account.email, "probe@gptimg.test");
  });
});

describe("database round trips", () => {
  test("GET /api/me makes exactly one D1 round trip, and the log line says so", async () => {
    const flow = await signIn(worker, { email: "trips@gptimg.test" });
    await worker.fetch("/api/me", { headers: asUser(worker, flow.session, { "x-request-id": "round-trip-check-1" }) });
    const deadline = Date.now() + 3000;
    let line;
    while (!(line = worker.jsonLogs().find((l) => l.request_id === "round-trip-check-1")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(line.status, 200);
    assert.equal(line.d1_round_trips, 1);
    assert.deepEqual([line.r2_ops, line.queue_sends, line.fetches, line.subrequests], [0, 0, 0, 1], "and nothing else");
  });
});

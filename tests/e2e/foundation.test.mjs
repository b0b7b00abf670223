// End-to-end: the built Worker in workerd with local D1/R2 — health, errors, request ids, headers, logs.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../support/worker.mjs";
import { TEST_SECRETS } from "../support/env.mjs";

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
};

function assertSecurityHeaders(response, label) {
  const csp = response.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/, `${label}: CSP default-src`);
  assert.match(csp, /frame-ancestors 'none'/, `${label}: CSP frame-ancestors`);
  assert.match(csp, /object-src 'none'/, `${label}: CSP object-src`);
  assert.doesNotMatch(csp, /https?:\/\//, `${label}: CSP must allow no third-party origin`);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(response.headers.get(name), value, `${label}: ${name}`);
  }
}

describe("a correctly configured Worker", () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.stop(); });

  test("healthz reports config, D1 and R2 as ok", async () => {
    const response = await worker.fetch("/healthz");
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual(body.checks, { config: "ok", d1: "ok", r2: "ok" });
    assert.equal(body.ok, true);
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  test("healthz reuses its D1 and R2 probe for a few seconds: a public endpoint is not a billed-operation pump", async () => {
    const first = await (await worker.fetch("/healthz", { headers: { "x-request-id": "health-probe-1" } })).json();
    const second = await (await worker.fetch("/healthz", { headers: { "x-request-id": "health-probe-2" } })).json();
    assert.equal(typeof first.checked_at, "number");
    assert.equal(second.checked_at, first.checked_at);
    assert.ok(Date.now() - second.checked_at < 5000);
    const deadline = Date.now() + 3000;
    let line;
    while (!(line = worker.jsonLogs().find((l) => l.request_id === "health-probe-2")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(line.d1_round_trips, 0);
  });

  test("an unknown API path is a JSON 404 with a named code", async () => {
    for (const path of ["/api/nope", "/api/", "/auth/unknown", "/webhooks/unknown"]) {
      const response = await worker.fetch(path);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get("content-type"), /application\/json/);
      assert.equal((await response.json()).error.code, "route_not_found", path);
    }
  });

  test("a known path with the wrong method is a JSON 405 naming the allowed methods", async () => {
    const response = await worker.fetch("/healthz", { method: "DELETE" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    assert.equal((await response.json()).error.code, "method_not_allowed");
  });

  test("every wrong method is told the path's methods from the one route table, HEAD only where GET has it", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/me", "GET, PATCH, DELETE"],
      ["HEAD", "/api/me", "GET, PATCH, DELETE"],
      ["GET", "/api/generations/gen_x/share", "POST, DELETE"],
      ["DELETE", "/images/img_x", "GET, HEAD"],
      ["GET", "/webhooks/stripe", "POST"],
    ]) {
      const response = await worker.fetch(path, { method, headers: { origin: worker.url } });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get("allow"), allow, `${method} ${path}`);
    }
  });

  test("an unknown page gets the HTML 404 page", async () => {
    const response = await worker.fetch("/no-such-page");
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type"), /text\/html/);
    assert.match(await response.text(), /Page not found/);
  });

  test("a well-formed request id is echoed back", async () => {
    const response = await worker.fetch("/healthz", { headers: { "x-request-id": "client-trace-0001" } });
    assert.equal(response.headers.get("x-request-id"), "client-trace-0001");
  });

  test("a missing or malformed request id is replaced by a fresh generated one", async () => {
    const ids = [];
    for (const header of [undefined, "bad id with spaces", "x".repeat(65), "short"]) {
      const headers = header === undefined ? {} : { "x-request-id": header };
      const response = await worker.fetch("/api/nope", { headers });
      const id = response.headers.get("x-request-id");
      assert.match(id, /^req_[0-9a-z]{26}$/);
      ids.push(id);
    }
    assert.equal(new Set(ids).size, ids.length, "every generated id is distinct");
  });

  test("security headers are on HTML, JSON, error and asset responses", async () => {
    for (const [path, init] of [["/", {}], ["/healthz", {}], ["/api/nope", {}], ["/styles.css", {}], ["/no-such-page", {}],
      ["/api/csp-report", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }]]) {
      assertSecurityHeaders(await worker.fetch(path, init), path);
    }
  });

  test("HSTS is sent over https and not over plain http", async () => {
    const overHttp = await worker.fetch("/healthz");
    assert.equal(overHttp.headers.get("strict-transport-security"), null);
    const overHttps = await worker.mf.dispatchFetch("https://gptimg.example/healthz");
    assert.match(overHttps.headers.get("strict-transport-security") ?? "", /max-age=\d{7,}/);
    assertSecurityHeaders(overHttps, "https healthz");
  });

  test("a malformed JSON body is a 400 with a named code, not a 500", async () => {
    const response = await worker.fetch("/api/csp-report", {
      method: "POST", headers: { "content-type": "application/json" }, body: '{"csp-report": {',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, "malformed_json");
  });

  test("a JSON body of the wrong media type is a 415", async () => {
    const response = await worker.fetch("/api/csp-report", {
      method: "POST", headers: { "content-type": "text/plain" }, body: "{}",
    });
    assert.equal(response.status, 415);
    assert.equal((await response.json()).error.code, "unsupported_media_type");
  });

  test("an oversized body is a 413", async () => {
    const response = await worker.fetch("/api/csp-report", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(20_000) }),
    });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, "body_too_large");
  });

  test("a CSP violation report is accepted and logged with only the blocked origin", async () => {
    const report = { "csp-report": { "effective-directive": "script-src-elem", "blocked-uri": "https://tracker.example/pixel.js?uid=secret-user-42" } };
    const response = await worker.fetch("/api/csp-report", {
      method: "POST", headers: { "content-type": "application/csp-report" }, body: JSON.stringify(report),
    });
    assert.equal(response.status, 204);
    await waitFor(() => worker.jsonLogs().some((l) => l.msg === "csp_violation"));
    const line = worker.jsonLogs().find((l) => l.msg === "csp_violation");
    assert.deepEqual(line.fields, { directive: "script-src-elem", blocked: "https://tracker.example" });
    assert.ok(!worker.logs.join("\n").includes("secret-user-42"));
  });

  test("a traced request (x-request-id) writes exactly one JSON log line, without cookies, tokens, query strings or secrets", async () => {
    const response = await worker.fetch("/api/nope?code=oauth-code-value&token=abc", {
      headers: { cookie: "session=cookie-value-123", authorization: "Bearer bearer-value-456", "x-request-id": "log-test-000001" },
    });
    assert.equal(response.status, 404);
    await waitFor(() => worker.jsonLogs().some((l) => l.request_id === "log-test-000001"));
    const lines = worker.jsonLogs().filter((l) => l.request_id === "log-test-000001");
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line.msg, "request");
    assert.equal(line.method, "GET");
    assert.equal(line.path, "/api/nope");
    assert.equal(line.status, 404);
    assert.equal(typeof line.duration_ms, "number");
    const allLogs = worker.logs.join("\n");
    for (const leaked of ["oauth-code-value", "cookie-value-123", "bearer-value-456", ...Object.values(TEST_SECRETS)]) {
      assert.ok(!allLogs.includes(leaked), `logs must not contain ${leaked}`);
    }
  });
});

describe("a Worker with a missing or malformed secret", () => {
  let worker;
  before(async () => {
    worker = await startWorker({ omit: ["SESSION_SECRET"], bindings: { STRIPE_SECRET_KEY: "pk_live_must_not_leak" } });
  });
  after(async () => { await worker?.stop(); });

  test("healthz is 503 and names each problem without its value", async () => {
    const response = await worker.fetch("/healthz");
    assert.equal(response.status, 503);
    const body = await response.json();
    assert.equal(body.ok, false);
    assert.deepEqual(body.checks.config.problems, ["SESSION_SECRET is missing", "STRIPE_SECRET_KEY must start with sk_"]);
    assert.equal(body.checks.d1, "ok");
    assert.ok(!JSON.stringify(body).includes("pk_live_must_not_leak"));
  });

  test("an API call fails with the named service_misconfigured error", async () => {
    const response = await worker.fetch("/api/csp-report", {
      method: "POST", headers: { "content-type": "application/json" }, body: "{}",
    });
    assert.equal(response.status, 503);
    const { error } = await response.json();
    assert.equal(error.code, "service_misconfigured");
    assert.match(error.message, /SESSION_SECRET is missing/);
    assert.match(error.message, /STRIPE_SECRET_KEY must start with sk_/);
    assert.ok(!error.message.includes("pk_live_must_not_leak"));
  });

  test("the landing page still loads", async () => {
    const response = await worker.fetch("/");
    assert.equal(response.status, 200);
  });
});

async function waitFor(condition, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

// The OpenAPI 3.1 document of the key-accessible API: served at /api/openapi.json exactly as the repo holds it,
// clean under Redocly's recommended ruleset, and the e2e hook that checks every response against it (openapi-backend)
// really refuses what the document does not allow. (That the document lists exactly the key-accessible routes is a
// native test: domain/src/routes/openapi_tests.rs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { lint, lintFromString, createConfig } from "@redocly/openapi-core";
import { useWorker } from "../support/worker.mjs";
import { checkResponse, checked, openapiValidator, DOCUMENT_PATH } from "../support/openapi-check.mjs";

const worker = useWorker({ before, after });
const REPO_TEXT = fs.readFileSync(DOCUMENT_PATH, "utf8");
const document = () => JSON.parse(REPO_TEXT);
const json = (value, status = 200, headers = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });

test("GET /api/openapi.json serves the repo's document, public and cacheable, with no credential", async () => {
  const response = await worker.fetch("/api/openapi.json");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.match(response.headers.get("cache-control"), /^public, max-age=\d+$/);
  assert.equal(await response.text(), REPO_TEXT);
  assert.equal(document().openapi, "3.1.0");
});

test("the document passes Redocly's recommended lint with no problems, and the linter does catch a broken one", async () => {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lint({ ref: DOCUMENT_PATH, config });
  assert.deepEqual(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`), []);
  const broken = document();
  broken.paths["/api/models"].get.operationId = "getImage";
  broken.paths["/api/generations/{id}"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
  const found = await lintFromString({ source: JSON.stringify(broken), absoluteRef: "broken.json", config });
  const errors = found.filter((p) => p.severity === "error").map((p) => p.ruleId);
  assert.ok(errors.includes("operation-operationId-unique"), errors.join());
  assert.ok(errors.includes("no-unresolved-refs"), errors.join());
});

test("every worker.fetch answer to a documented operation goes through the check", async () => {
  const before_ = checked.get("listModels") ?? 0;
  assert.equal((await worker.fetch("/api/models")).status, 200);
  assert.equal(checked.get("listModels"), before_ + 1);
  const pages = checked.get("getOpenApi");
  assert.equal(pages, undefined, "the document itself is not an operation of the key API");
});

test("the check refuses an undocumented status, a body off its schema and an undocumented content type", async () => {
  const api = await openapiValidator();
  const model = { id: "m", name: "M", credits_per_image: 1, aspect_ratios: ["1:1"], qualities: [], max_reference_images: 0 };
  assert.equal(await checkResponse("GET", "/api/models", json({ models: [model] }), api), "listModels");
  await assert.rejects(checkResponse("GET", "/api/models", json({ models: [model] }, 418), api), /status not documented/);
  await assert.rejects(checkResponse("GET", "/api/models", json({ models: [{ ...model, surprise: true }] }), api), /body does not match/);
  await assert.rejects(checkResponse("GET", "/api/models", json({ models: [{ ...model, credits_per_image: "1" }] }), api), /body does not match/);
  await assert.rejects(checkResponse("GET", "/api/generations/gen_1", json({ error: { code: "generation_not_found" } }, 404), api), /body does not match/);
  await assert.rejects(
    checkResponse("GET", "/api/models", new Response("{}", { headers: { "content-type": "text/html" } }), api), /content type "text\/html" not documented/,
  );
  await assert.rejects(checkResponse("DELETE", "/api/generations/gen_1", json({ ok: true }, 200), api), /status not documented/);
  await assert.rejects(
    checkResponse("POST", "/api/generations", json({ error: { code: "rate_limited", message: "m" } }, 429, { "retry-after": "soon" }), api),
    /headers do not match/,
  );
  assert.equal(await checkResponse("POST", "/api/generations", json({ error: { code: "rate_limited", message: "m", retry_after_seconds: 3 } }, 429, { "retry-after": "3" }), api), "createGeneration");
  assert.equal(await checkResponse("GET", "/api/me", json({ anything: 1 }, 200), api), null, "session-only endpoints are not in the document");
});

test("a real answer, altered, is refused: the schemas are tight enough to notice drift", async () => {
  const api = await openapiValidator();
  const real = await (await worker.fetch("/api/models")).json();
  assert.ok(real.models.length > 0);
  assert.equal(await checkResponse("GET", "/api/models", json(real), api), "listModels");
  const missing = structuredClone(real);
  delete missing.models[0].aspect_ratios;
  await assert.rejects(checkResponse("GET", "/api/models", json(missing), api), /body does not match/);
});

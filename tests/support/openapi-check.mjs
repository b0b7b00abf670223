// Checks every Worker response to an operation of the published OpenAPI document (openapi/openapi.json) against
// that document with an independent validator (openapi-backend, Ajv): the status must be documented for the
// operation, and a JSON body must match its schema. `worker.fetch` (tests/support/worker.mjs) runs it on every
// response, so the document cannot drift from what the e2e suite sees.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OpenAPIBackend } from "openapi-backend";

export const DOCUMENT_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../openapi/openapi.json");

let backend = null;

/** How many responses of each operation were checked in this process (proves the hook runs). */
export const checked = new Map();

/**
 * openapi-backend checks a document's structure against the OpenAPI 3.0 schema only (`validateDefinition`); a 3.1
 * document's structure is checked by the Redocly linter instead (tests/e2e/openapi.test.mjs). Routing and the
 * response validation (Ajv) are the library's own.
 */
class Validator extends OpenAPIBackend {
  validateDefinition() {
    return this.document;
  }
}

/** The validator for `document` (the repo's file by default), built once. */
export async function openapiValidator(document = JSON.parse(fs.readFileSync(DOCUMENT_PATH, "utf8"))) {
  const api = new Validator({ definition: document, strict: true, validate: true, quick: false });
  await api.init();
  return api;
}

async function shared() {
  backend ??= await openapiValidator();
  return backend;
}

/**
 * Asserts that `response` (to `method` `target`, a path with an optional query) is one the document allows, if the
 * request is one of its operations. Reads a clone of JSON bodies; the caller's response is left unread.
 * Returns the operation id checked, or null when the request is not a documented operation.
 */
export async function checkResponse(method, target, response, api = null) {
  api ??= await shared();
  const url = new URL(target, "http://checked.invalid");
  // OpenAPI 3.1 §4.8.8: a concrete path matches before a templated one. openapi-backend matches by method first, so a
  // DELETE of the concrete `/api/generations/delete` (POST only: 405) would be taken for `/api/generations/{id}`.
  const concrete = api.definition.paths[url.pathname];
  if (concrete && !concrete[method.toLowerCase()]) return null;
  const operation = api.matchOperation({ method: method.toLowerCase(), path: url.pathname, headers: {}, query: url.search.slice(1) });
  if (!operation) return null;
  const where = `${method} ${url.pathname} → ${response.status} (${operation.operationId}, openapi/openapi.json)`;
  const documented = operation.responses?.[String(response.status)];
  assert.ok(documented, `${where}: status not documented`);
  const type = (response.headers.get("content-type") ?? "").split(";")[0].trim();
  const content = documented.content ?? {};
  const bodyless = response.status === 204 || response.status === 304 || method.toUpperCase() === "HEAD";
  if (bodyless) {
    if (response.status === 204) assert.deepEqual(Object.keys(content), [], `${where}: documented with a body`);
  } else {
    assert.ok(type in content, `${where}: content type "${type}" not documented (${Object.keys(content).join(", ") || "none"})`);
  }
  const headers = Object.fromEntries(response.headers.entries());
  const headerCheck = api.validateResponseHeaders(headers, operation, { statusCode: response.status, setMatchType: "any" });
  assert.ok(headerCheck.valid, `${where}: headers do not match: ${JSON.stringify(headerCheck.errors)}`);
  if (!bodyless && type === "application/json") {
    const text = await response.clone().text();
    let body;
    try { body = JSON.parse(text); } catch { assert.fail(`${where}: body is not JSON: ${text.slice(0, 200)}`); }
    const result = api.validateResponse(body, operation, response.status);
    assert.ok(result.valid, `${where}: body does not match: ${JSON.stringify(result.errors)}\n${text.slice(0, 500)}`);
  }
  checked.set(operation.operationId, (checked.get(operation.operationId) ?? 0) + 1);
  return operation.operationId;
}

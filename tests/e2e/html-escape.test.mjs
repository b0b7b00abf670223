// The page builder escapes HTML exactly as the Worker does: both are held to tests/fixtures/html-escape.json
// (the Rust side in domain/src/html.rs). Needs no Worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { escapeHtml } from "../../scripts/html.mjs";

test("every fixture escapes to its expected text", () => {
  const cases = JSON.parse(fs.readFileSync(new URL("../fixtures/html-escape.json", import.meta.url), "utf8"));
  assert.ok(cases.length > 10);
  for (const [input, expected] of cases) assert.equal(escapeHtml(input), expected, JSON.stringify(input));
});

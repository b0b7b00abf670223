// The Stripe stand-in speaks the pinned API version: its builders type-check against the official `stripe` types,
// the committed sample events equal what the builders produce, and every version string agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../support/worker.mjs";
import { API_VERSION } from "../support/fakes/stripe-objects.mjs";
import { EVENTS_DIR, sampleEvents, serialise } from "../contracts/stripe/samples.mjs";

const run = promisify(execFile);

test("the stand-in's object and event builders type-check against the pinned stripe package's types", async () => {
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  const result = await run(process.execPath, [tsc, "-p", "tsconfig.stripe.json"], { cwd: ROOT }).catch((error) => error);
  assert.equal(result.code ?? 0, 0, `tsc found the stand-in off the Stripe types:\n${result.stdout ?? ""}${result.stderr ?? ""}`);
});

test("a misnamed field fails that type check (the check has teeth)", async () => {
  const scratch = path.join(ROOT, "tests/support/fakes/.stripe-drift-check.mjs");
  fs.writeFileSync(scratch, `// @ts-check
/** @import { Stripe } from "stripe" */
import { invoice } from "./stripe-objects.mjs";
/** @returns {Stripe.Invoice} */
export const drifted = () => ({ ...invoice(/** @type {any} */ ({ price: {} })), payment_intent: "pi_1" });
`);
  const config = path.join(ROOT, ".tsconfig.stripe-drift.json");
  fs.writeFileSync(config, JSON.stringify({ extends: "./tsconfig.stripe.json", files: [path.relative(ROOT, scratch)] }));
  try {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", config], { cwd: ROOT }).catch((error) => error);
    assert.notEqual(result.code ?? 0, 0);
    assert.match(result.stdout, /'payment_intent' does not exist in type 'Invoice'/);
  } finally {
    fs.rmSync(scratch, { force: true });
    fs.rmSync(config, { force: true });
  }
});

test("the pinned version is the one in the stripe package, the builders and the worker", () => {
  const sdk = fs.readFileSync(path.join(ROOT, "node_modules/stripe/cjs/apiVersion.js"), "utf8");
  assert.match(sdk, new RegExp(`ApiVersion = '${API_VERSION}'`));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.equal(pkg.devDependencies.stripe, "23.1.0", "pinned exactly");
  const rust = fs.readFileSync(path.join(ROOT, "domain/src/stripe/mod.rs"), "utf8");
  assert.ok(rust.includes(`pub const API_VERSION: &str = "${API_VERSION}";`), "domain's API_VERSION");
});

test("the committed sample events are exactly what the typed builders produce", () => {
  const samples = sampleEvents();
  const committed = fs.readdirSync(EVENTS_DIR).filter((f) => f.endsWith(".json")).sort();
  assert.deepEqual(committed, Object.keys(samples).map((name) => `${name}.json`).sort());
  for (const [name, event] of Object.entries(samples)) {
    assert.equal(fs.readFileSync(path.join(EVENTS_DIR, `${name}.json`), "utf8"), serialise(event), `${name}: run node tests/contracts/stripe/samples.mjs --write`);
    assert.equal(event.api_version, API_VERSION);
  }
});

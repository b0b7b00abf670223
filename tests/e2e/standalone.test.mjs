// The repository stands alone: nothing it ships, tests or documents reaches outside its own folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../support/worker.mjs";

const trackedFiles = () =>
  execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);

test("no tracked file reads or links a folder beside the repository", () => {
  const outside = /\.\.\/shared\b|["'`]\.\.["'`]\s*,\s*["'`]shared["'`]|\bshared\/(DESIGN|contracts|privacy-policy)/;
  const offenders = trackedFiles()
    .filter((file) => file !== "tests/e2e/standalone.test.mjs" && !/\.(png|svg|ico|wasm|lock)$/.test(file))
    .filter((file) => outside.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
  assert.deepEqual(offenders, []);
});

test("the documents the README points at are in the repository", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const linked = [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => m[1]);
  assert.ok(linked.includes("ARCHITECTURE.md") && linked.includes("docs/privacy-policy.txt"), linked.join(", "));
  for (const file of linked) assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is linked but missing`);
});

// Compares the JSON shape (keys and value types, recursively) of what a stand-in sent with the providers'
// documented fixtures in tests/contracts/, so a stand-in that drifts from the contract fails CI.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./worker.mjs";

const typeOf = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

/** `null` when `actual` has exactly the shape of `expected`, else the first difference, as a path. */
export function shapeDifference(actual, expected, at = "$") {
  if (typeOf(actual) !== typeOf(expected)) return `${at}: ${typeOf(actual)} where the contract has ${typeOf(expected)}`;
  if (Array.isArray(actual)) {
    if (!expected.length) return actual.length ? `${at}: items where the contract has none` : null;
    for (const [i, item] of actual.entries()) {
      const difference = shapeDifference(item, expected[0], `${at}[${i}]`);
      if (difference) return difference;
    }
    return null;
  }
  if (typeOf(actual) !== "object") return null;
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    if (!(key in expected)) return `${at}.${key}: not in the contract`;
    if (!(key in actual)) return `${at}.${key}: missing`;
    const difference = shapeDifference(actual[key], expected[key], `${at}.${key}`);
    if (difference) return difference;
  }
  return null;
}

export function loadFixtures(provider) {
  const dir = path.join(ROOT, "tests/contracts", provider);
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))]));
}

/** The fixture `value` has the shape of, among `names`; throws naming the closest differences if none. */
export function matchingFixture(value, fixtures, names) {
  const differences = [];
  for (const name of names) {
    const difference = shapeDifference(value, fixtures[name]);
    if (!difference) return name;
    differences.push(`${name}: ${difference}`);
  }
  throw new Error(`${JSON.stringify(value)} has the shape of no documented answer:\n  ${differences.join("\n  ")}`);
}

const KINDS = {
  submit: ["submit-success-code200.json", "submit-success-code0.json"],
  status: ["status-pending.json", "status-processing.json", "status-completed-legacy.json", "status-completed.json", "status-failed.json", "status-failed-legacy.json"],
  error: ["error-openai-401.json", "error-openai-400.json", "error-envelope-429.json"],
  callback: ["callback-completed.json", "callback-failed.json"],
};

/** Checks every JSON answer and callback the APIPod stand-in sent; returns how many of each fixture matched. */
export function checkApipodAnswers(answers) {
  const fixtures = loadFixtures("apipod");
  const matched = {};
  for (const answer of answers) {
    if (answer.kind === "broken") continue; // the `malformed` mode's deliberately broken JSON
    const names = KINDS[answer.kind];
    if (!names) throw new Error(`unknown answer kind ${answer.kind}`);
    const name = matchingFixture(answer.body, fixtures, names);
    matched[name] = (matched[name] ?? 0) + 1;
  }
  return matched;
}

// Runs axe-core (the npm devDependency) in a page: WCAG 2.0/2.1 A and AA rules, violations as short lines.
import { createRequire } from "node:module";
import fs from "node:fs";

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve("axe-core/axe.min.js");
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Puts axe in the page. Our CSP (script-src 'self') blocks the inline <script> addScriptTag makes, so when
 * that leaves no `window.axe` the same file is evaluated through the DevTools protocol, which CSP does not govern. */
async function inject(page) {
  if (await page.evaluate(() => Boolean(window.axe))) return;
  await page.addScriptTag({ path: AXE_PATH }).catch(() => null);
  if (await page.evaluate(() => Boolean(window.axe))) return;
  await page.evaluate(fs.readFileSync(AXE_PATH, "utf8"));
}

/** axe's violations on the page as it is now (the whole document, open dialogs included). */
export async function axeViolations(page) {
  await inject(page);
  const results = await page.evaluate(async (tags) => {
    const outcome = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return outcome.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  return results;
}

/** One line per failing node: "rule-id  target  (what is wrong)". */
export const describeViolations = (violations) => violations.flatMap((v) =>
  v.nodes.map((n) => `${v.id} [${v.impact}] ${n.target} — ${n.summary?.split("\n").slice(1).join(" ").trim() ?? v.help}`));

// Browser: the API reference at /docs/api renders every operation of the OpenAPI document with its parameters,
// responses and examples in curl, JavaScript and Python, from our own origin only, readable at both widths (no
// horizontal scrolling of the page), its examples are tabs whose language choice holds everywhere, and its Copy
// buttons copy the example.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS } from "../support/browser.mjs";
import { DOCUMENT_PATH } from "../support/openapi-check.mjs";

const live = useWorkerAndBrowser({ before, after });
const document = JSON.parse(fs.readFileSync(DOCUMENT_PATH, "utf8"));
const METHODS = ["get", "head", "post", "put", "patch", "delete"];
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ method, path, operation: item[method] })));

for (const [label, width, height] of VIEWPORTS) {
  test(`the API reference renders the whole document with copyable examples at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: live.worker.url });
    const requested = new Set();
    page.on("request", (request) => requested.add(new URL(request.url()).origin));
    const response = await page.goto(`${live.worker.url}/docs/api`);
    assert.equal(response.status(), 200);
    await page.getByRole("heading", { level: 1, name: document.info.title }).waitFor();

    assert.equal(await page.locator(".api-operation").count(), operations.length);
    for (const { method, path, operation } of operations) {
      const section = page.locator(`#op-${operation.operationId.toLowerCase()}`);
      assert.equal(await section.locator("h3").innerText(), `${method.toUpperCase()} ${path}`);
      const statuses = await section.locator("table:has(caption:text-is('Responses')) tbody tr td:first-child").allInnerTexts();
      assert.deepEqual(statuses, Object.keys(operation.responses), `${operation.operationId} lists every documented status`);
      const examples = await section.locator(".api-example figcaption").allInnerTexts();
      assert.deepEqual(examples, ["curl", "JavaScript (fetch)", "Python (requests)"]);
      const curl = await section.locator(".api-example pre").first().innerText();
      assert.match(curl, /Authorization: Bearer \$GPTIMG_KEY/);
      const takesKey = (operation.parameters ?? []).some((p) => p.$ref === "#/components/parameters/IdempotencyKey");
      for (const code of await section.locator(".api-example pre").allInnerTexts()) {
        assert.equal(/Idempotency-Key/.test(code), takesKey, `${operation.operationId}: Idempotency-Key in every example iff the operation takes it`);
      }
    }
    for (const name of Object.keys(document.components.schemas)) {
      await page.locator(`#schema-${name.toLowerCase()}`).waitFor();
    }
    const generation = page.locator("#schema-generation tbody tr td:first-child");
    assert.deepEqual(await generation.allInnerTexts(), Object.keys(document.components.schemas.Generation.properties));

    // The examples are tabs, one language at a time, and the choice holds on every operation.
    await page.locator("#op-creategeneration").getByRole("tab", { name: "Python (requests)" }).click();
    assert.equal(await page.locator(".api-operation").first().getByRole("tab", { name: "Python (requests)" }).getAttribute("aria-selected"), "true");
    const copy = page.locator("#op-creategeneration").getByRole("button", { name: "Copy the Python (requests) example" });
    await copy.click();
    await page.locator("#op-creategeneration .api-copy", { hasText: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.locator("#example-creategeneration-python").innerText());
    assert.match(copied, /"Idempotency-Key": str\(uuid\.uuid4\(\)\)/);

    assert.equal(await page.getByRole("contentinfo").getByRole("link", { name: "API" }).getAttribute("href"), "/docs/api");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "the page itself never scrolls sideways (wide tables and code scroll in their box)");
    assert.deepEqual([...requested], [live.worker.url], "nothing from another origin");
    await screenshot(page, `api-docs-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

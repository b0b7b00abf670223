// Browser smoke test: Debian Chromium loads the landing page at desktop and phone widths with no console errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../support/worker.mjs";
import { launchBrowser, watchedPage, screenshot } from "../support/browser.mjs";

let worker;
let browser;
before(async () => {
  worker = await startWorker();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await worker?.stop();
});

for (const [label, width, height] of [["desktop", 1440, 900], ["phone", 390, 844]]) {
  test(`the landing page loads cleanly at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(browser, { width, height });
    const response = await page.goto(worker.url + "/");
    assert.equal(response.status(), 200);
    await assert.doesNotReject(page.getByRole("heading", { level: 1 }).waitFor());
    await page.getByText("All systems working").waitFor({ timeout: 5000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal scrolling");
    await screenshot(page, `landing-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

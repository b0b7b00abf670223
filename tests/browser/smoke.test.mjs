// Browser smoke test: Debian Chromium loads the landing page at desktop and phone widths with no console errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS } from "../support/browser.mjs";

const live = useWorkerAndBrowser({ before, after });

for (const [label, width, height] of VIEWPORTS) {
  test(`the landing page loads cleanly at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const response = await page.goto(live.worker.url + "/");
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

// Browser: the admin console's Dashboard draws every series as inline SVG at phone and desktop widths — as many
// bars and points as the data has days, outcomes, currencies, models and failure codes — with a table of the
// numbers and a CSV link per chart, a working days selector, no horizontal overflow, and no console error (a CSP
// violation would be one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";
import { seedDashboard, expectedDashboard } from "../support/dashboard-seed.mjs";

const live = useWorkerAndBrowser({ before, after });
let data;

const marks = (page, series, shape) => page.locator(`#dashboard figure[data-series="${series}"] svg .mark`).and(page.locator(shape)).count();

for (const [label, width, height] of VIEWPORTS) {
  test(`the dashboard's charts render with one mark per data point at ${label} width`, async () => {
    data ??= await seedDashboard(live.worker.db, Date.now());
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await signInAs(page, live.worker.url, { name: "Admin Person", email: "admin@gptimg.test", returnTo: "/app" });
    await page.goto(`${live.worker.url}/admin`);
    const firstSection = await page.locator("main section").first().getAttribute("aria-labelledby");
    assert.equal(firstSection, "dashboard-heading", "the Dashboard comes first");
    await page.locator('#dashboard figure[data-series="deletions"]').waitFor();
    const expected = expectedDashboard(data, 30, Date.now());
    const currencies = new Set(expected.revenue.map((r) => r.currency)).size;
    assert.equal(await marks(page, "revenue", "circle"), 30 * currencies);
    assert.equal(await marks(page, "credits", "circle"), 30 * 2);
    assert.equal(await marks(page, "generations", "rect"), 30 * 4);
    assert.equal(await marks(page, "models", "rect"), expected.models.length * 3, "p50 and p95 bars, and failure rate bars");
    assert.equal(await marks(page, "failure_codes", "rect"), expected.failure_codes.length);
    // Every chart is named for assistive technology and has its numbers as a table and a CSV link.
    for (const series of ["revenue", "credits", "generations", "models", "failure_codes", "attention", "deletions"]) {
      const figure = page.locator(`#dashboard figure[data-series="${series}"]`);
      assert.equal(await figure.getByRole("link", { name: /^Download CSV/ }).getAttribute("href"), `/api/admin/dashboard/${series}.csv?days=30`);
      assert.equal(await figure.locator("tbody tr").count(), Math.max(1, expected[series].length), series);
    }
    for (const svg of await page.locator("#dashboard svg").all()) {
      assert.equal(await svg.getAttribute("role"), "img");
      assert.ok(await svg.locator("title").first().textContent());
    }
    const titles = await page.locator('#dashboard figure[data-series="generations"] svg .mark title').allTextContents();
    const today = expected.generations.at(-1);
    assert.ok(titles.includes(`${today.day} succeeded: ${today.succeeded}`), titles.slice(-4).join());
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no horizontal scrolling");
    await screenshot(page, `admin-dashboard-${label}`);

    await page.getByLabel("Show the last").selectOption("7");
    await page.locator("#dashboard-range", { hasText: "7 days" }).waitFor();
    assert.equal(await marks(page, "generations", "rect"), 7 * 4);
    assert.equal(await page.locator('#dashboard figure[data-series="credits"] a').getAttribute("href"), "/api/admin/dashboard/credits.csv?days=7");
    const csv = await page.evaluate(async () => (await fetch("/api/admin/dashboard/credits.csv?days=7")).text());
    assert.equal(csv.trimEnd().split("\r\n").length, 8, "header and 7 days");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

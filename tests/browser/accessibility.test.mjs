// Browser: axe-core (WCAG 2.0/2.1 A and AA rules) on every page, studio and gallery state and the share page at 390 and 1440 px finds no
// violation. On failure the message lists each rule id and the elements it flagged.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";
import { axeViolations, describeViolations } from "../support/axe.mjs";

const live = useWorkerAndBrowser({ before, after });

/** Runs axe on the page as it is; collects failures instead of stopping, so one run reports every page. */
function checker(label) {
  const failures = [];
  const checked = [];
  return {
    failures, checked,
    async check(page, state) {
      await page.evaluate(() => document.fonts?.ready);
      const violations = await axeViolations(page);
      checked.push(state);
      await screenshot(page, `a11y-${state}-${label}`);
      if (violations.length) failures.push(`${state} (${label}):\n  ${describeViolations(violations).join("\n  ")}`);
    },
  };
}

for (const [label, width, height] of VIEWPORTS) {
  test(`axe finds no WCAG 2.1 A/AA violation on any page or state at ${label} width`, async () => {
    const { check, failures, checked } = checker(label);
    const url = live.worker.url;
    const anonymous = await watchedPage(live.browser, { width, height });
    for (const [state, path, ready] of [["landing", "/", "#pricing .plan"], ["privacy", "/privacy", "footer"], ["terms", "/terms", "footer"],
      ["support-anonymous", "/support", "#account-nav a"], ["not-found", "/no-such-page", "h1"], ["api-docs", "/docs/api", ".api-copy"]]) {
      await anonymous.page.goto(url + path);
      await anonymous.page.locator(ready).first().waitFor();
      await check(anonymous.page, state);
    }
    await anonymous.context.close();

    const { page, context } = await watchedPage(live.browser, { width, height });
    page.on("dialog", (dialog) => dialog.accept());
    await signInAs(page, url, { name: `Axe ${label}`, email: `axe-${label}@gptimg.test`, returnTo: "/app" });
    await page.locator("#cost-total").waitFor();
    await page.locator("#first-hint").waitFor();
    await check(page, "studio-empty");
    await page.getByLabel("Describe your image").fill(`An accessible owl (${label}) [apipod-delay:4000]`);
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#results li.running").waitFor();
    await check(page, "studio-running");
    await page.locator("#results li.done .run-image").waitFor({ timeout: 20_000 });
    await page.locator("#gallery li img").first().waitFor();
    await check(page, "studio-result");
    await page.locator("#results li.done").getByRole("button", { name: "Details" }).click();
    await page.locator("#detail[open]").waitFor();
    await check(page, "studio-detail");
    // The public share page, with the prompt shown, as a visitor without an account sees it.
    await page.getByLabel("Show the prompt on the share page").check();
    await page.locator("#detail").getByRole("button", { name: "Copy link", exact: true }).click();
    const sharePage = await page.locator("#share-page-link").getAttribute("href");
    await page.keyboard.press("Escape");
    const visitor = await watchedPage(live.browser, { width, height });
    await visitor.page.goto(sharePage);
    await visitor.page.locator(".share-image").waitFor();
    await visitor.page.locator(".share-prompt", { hasText: "An accessible owl" }).waitFor();
    await check(visitor.page, "share-page");
    await visitor.context.close();
    // The gallery's own states: select mode with a tile chosen, and a search that matches nothing.
    await page.locator("#gallery-select").click();
    await page.locator("#gallery .tile-check").first().check();
    await page.locator("#gallery-delete", { hasText: "Delete selected (1)" }).waitFor();
    await check(page, "gallery-selecting");
    await page.locator("#gallery-select").click();
    await page.locator("#gallery-search").fill("no such prompt anywhere");
    await page.locator("#gallery-clear").waitFor({ state: "visible" });
    await check(page, "gallery-no-match");
    await page.locator("#gallery-clear").click();
    await page.locator("#gallery li img").first().waitFor();
    await page.getByLabel("Describe your image").fill(`A refused owl (${label}) [apipod:fail]`);
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#results li.failed").waitFor({ timeout: 20_000 });
    await page.getByLabel("Describe your image").fill(`Too dear (${label})`);
    await page.getByLabel("Model", { exact: true }).selectOption("nano-banana-pro");
    await page.getByLabel("Quality", { exact: true }).selectOption("4K"); // 8 credits, with 6 left
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#generator-message").getByRole("link", { name: "Buy credits" }).waitFor();
    await check(page, "studio-errors");
    await page.goto(`${url}/account`);
    await page.locator("#plan-list .plan").first().waitFor();
    await check(page, "account");
    await page.getByLabel("New key's name").fill(`Axe key ${label}`);
    await page.getByRole("button", { name: "Create key" }).click();
    await page.locator("#new-key-value").waitFor();
    await check(page, "account-api-key");
    await page.goto(`${url}/support`);
    await page.getByLabel("Subject").waitFor();
    await check(page, "support");
    await context.close();

    const admin = await watchedPage(live.browser, { width, height });
    await signInAs(admin.page, url, { name: "Admin Person", email: "admin@gptimg.test", returnTo: "/app" });
    await admin.page.goto(`${url}/admin`);
    await admin.page.getByRole("heading", { name: "Support inbox" }).waitFor();
    await check(admin.page, "admin");
    // The dashboard drawn, every chart's table of numbers open.
    await admin.page.locator('#dashboard figure[data-series="deletions"]').waitFor();
    await admin.page.evaluate(() => document.querySelectorAll("#dashboard details").forEach((d) => { d.open = true; }));
    await check(admin.page, "admin-dashboard");
    await admin.context.close();

    assert.equal(checked.length, 19, checked.join());
    assert.deepEqual(failures, [], `axe violations:\n${failures.join("\n")}`);
  });
}

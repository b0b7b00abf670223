// Browser: buy a credit pack on the stand-in Stripe page and see the balance and history update.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";

const live = useWorkerAndBrowser({ before, after });

for (const [label, width, height] of VIEWPORTS) {
  test(`buy a credit pack at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await signInAs(page, live.worker.url, { name: `Buyer ${label}`, email: `buyer-${label}@gptimg.test`, returnTo: "/account" });
    const pack = page.locator(".plan", { hasText: "100 credits" }).first();
    await pack.getByRole("button", { name: "Buy" }).click();

    await page.getByRole("heading", { name: "Pay GPTImg" }).waitFor();
    await screenshot(page, `stripe-stand-in-${label}`);
    await page.getByRole("button", { name: "Pay" }).click();

    await page.waitForURL(/\/account\?checkout=success/);
    await page.getByText("Payment confirmed — you now have 110 credits.", { exact: false }).waitFor();
    await page.locator("#credit-balance", { hasText: "110 credits" }).waitFor();
    await page.locator("#ledger-rows tr", { hasText: "Bought 100 credits" }).waitFor();
    assert.equal(await page.locator("#ledger-rows tr").count(), 2);
    await page.getByRole("button", { name: "Manage billing" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal scrolling");
    await screenshot(page, `app-billing-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

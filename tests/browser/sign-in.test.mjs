// Browser: sign in through the stand-in Google page, see the signed-in header, correct the name, sign out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, acceptTermsInDialog } from "../support/browser.mjs";

const live = useWorkerAndBrowser({ before, after });

for (const [label, width, height] of VIEWPORTS) {
  test(`sign in, rename and sign out at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await page.goto(live.worker.url + "/");
    await page.getByRole("link", { name: "Sign in with Google to start" }).click();

    await page.getByRole("heading", { name: "Choose an account" }).waitFor();
    await screenshot(page, `google-stand-in-${label}`);
    await page.getByRole("button", { name: /Grace Hopper/ }).click();

    await page.waitForURL(live.worker.url + "/app");
    await acceptTermsInDialog(page);
    await page.getByRole("link", { name: /Account of/ }).click();
    await page.waitForURL(live.worker.url + "/account");
    await page.locator("#account-card").waitFor({ state: "visible" });
    assert.equal(await page.locator("#account-email").textContent(), "grace@gptimg.test");
    assert.equal(await page.locator("#credit-balance").textContent(), "10 credits");
    const avatarLoaded = await page.locator("img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(avatarLoaded, "the avatar image loads through the Worker");
    await screenshot(page, `app-account-${label}`);

    await page.getByLabel("Display name").fill("Rear Admiral Hopper");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal scrolling");

    await page.getByLabel("Display name").fill("   ");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Name must not be empty.").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(live.worker.url + "/");
    await page.locator("#account-nav").getByRole("link", { name: "Sign in with Google" }).waitFor();
    const session = await page.evaluate(async () => (await fetch("/api/session")).json());
    assert.equal(session.signed_in, false);
    // The deliberate empty-name attempt logs a 422 in the console; nothing else may.
    assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
    await context.close();
  });
}

// Browser: the account page's API keys card — create a key (shown once, with Copy), see it listed, use it, revoke it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";

const live = useWorkerAndBrowser({ before, after });

for (const [label, width, height] of VIEWPORTS) {
  test(`create, copy, list and revoke an API key at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const url = live.worker.url;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
    await signInAs(page, url, { name: `Keys ${label}`, email: `keys-${label}@gptimg.test`, returnTo: "/account" });
    const card = page.locator("#keys-card");
    await card.getByText("No keys yet.").waitFor();
    assert.equal(await card.getByRole("link", { name: "API documentation" }).getAttribute("href"), "/docs/api");

    await card.getByRole("button", { name: "Create key" }).click();
    await card.locator("#key-message", { hasText: "1 to 64 characters" }).waitFor();

    await card.getByLabel("New key's name").fill(`Laptop script ${label}`);
    await card.getByRole("button", { name: "Create key" }).click();
    const secret = card.getByLabel(/copy it now, you won't see it again/);
    await secret.waitFor();
    const key = await secret.inputValue();
    assert.match(key, /^gptimg_[A-Za-z0-9_-]{43}$/);
    await card.getByRole("button", { name: "Copy" }).click();
    await card.locator("#copy-message", { hasText: "Copied." }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    const item = card.locator("#key-list li", { hasText: `Laptop script ${label}` });
    await item.locator("code", { hasText: `${key.slice(0, 11)}…` }).waitFor();
    await item.getByText("last used never").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal scrolling");
    await screenshot(page, `account-api-key-created-${label}`);

    // Used from a script, it shows as used after a reload; the secret is never shown again.
    assert.equal((await fetch(`${url}/api/models`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    await page.reload();
    await item.getByText("last used never").waitFor({ state: "detached" });
    await item.locator(".key-dates", { hasText: "last used" }).waitFor();
    assert.equal(await card.locator("#new-key").isHidden(), true);
    assert.equal(await page.content().then((html) => html.includes(key.slice(11))), false, "the secret is shown once only");

    // Revoking asks first: dismissing keeps the key, accepting revokes it.
    page.once("dialog", (dialog) => dialog.dismiss());
    await item.getByRole("button", { name: `Revoke Laptop script ${label}` }).click();
    assert.equal(await item.count(), 1);
    page.once("dialog", (dialog) => { assert.match(dialog.message(), /stops working at once/); dialog.accept(); });
    await item.getByRole("button", { name: `Revoke Laptop script ${label}` }).click();
    await item.waitFor({ state: "detached" });
    await card.getByText("No keys yet.").waitFor();
    assert.equal((await fetch(`${url}/api/models`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    await screenshot(page, `account-api-key-revoked-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the card says when the account has the most keys it may, and disables creating", async () => {
  const { page, context } = await watchedPage(live.browser, { width: 390, height: 844 });
  const url = live.worker.url;
  await signInAs(page, url, { name: "Key Collector", email: "key-collector@gptimg.test", returnTo: "/account" });
  await page.locator("#keys-card").getByText("No keys yet.").waitFor();
  for (let i = 0; i < 10; i++) {
    const created = await page.evaluate(async (n) => (await fetch("/api/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `k${n}` }) })).status, i);
    assert.equal(created, 201);
  }
  await page.reload();
  await page.locator("#keys-limit", { hasText: "the most keys an account can have (10)" }).waitFor();
  assert.equal(await page.locator("#key-list li").count(), 10);
  assert.equal(await page.locator("#keys-card").getByRole("button", { name: "Create key" }).isDisabled(), true);
  await screenshot(page, "account-api-keys-limit-phone");
  await context.close();
});

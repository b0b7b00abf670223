// Browser: the whole product in Debian Chromium — generate with live progress, the gallery (share, unshare,
// delete), a failure refunded, support, export, account deletion — and every page at both widths.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const live = useWorkerAndBrowser({ before, after });

/** Reference images on disk for the file picker. */
function referenceFiles() {
  const dir = fs.mkdtempSync("/tmp/gptimg-refs-");
  return [1, 2].map((n) => {
    const file = `${dir}/reference-${n}.png`;
    fs.writeFileSync(file, encodePng(40, 40, (x, y) => [x * 6, y * 6, n * 100]));
    return file;
  });
}

for (const [label, width, height] of VIEWPORTS) {
  test(`generate, share, delete, export and leave at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    page.on("dialog", (dialog) => dialog.accept());
    const url = live.worker.url;
    await signInAs(page, url, { name: `Journey ${label}`, email: `journey-${label}@gptimg.test`, returnTo: "/app", consentScreenshot: `consent-${label}` });

    // Credits: a pack through the Stripe stand-in.
    await page.goto(`${url}/account`);
    await page.locator(".plan", { hasText: "100 credits" }).first().getByRole("button", { name: "Buy" }).click();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.locator("#credit-balance", { hasText: "110 credits" }).waitFor();

    // Generate with two references, one removed again, and watch the progress to the result.
    await page.goto(`${url}/app`);
    await page.locator("#cost-total", { hasText: /^4 credits$/ }).waitFor();
    // The first Tab reaches a visible skip link that jumps to the main content.
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    assert.equal(await skip.evaluate((link) => link === document.activeElement && link.getAttribute("href")), "#main");
    assert.ok((await skip.boundingBox()).y >= 0, "the focused skip link is on screen");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => location.hash), "#main");
    // What a screen reader hears: the studio's one live region changes with the state only; the seconds counter is
    // hidden from it.
    await page.evaluate(() => {
      window.announced = [];
      new MutationObserver(() => window.announced.push(document.getElementById("studio-status").textContent))
        .observe(document.getElementById("studio-status"), { childList: true, characterData: true, subtree: true });
    });
    await page.getByLabel("Describe your image").fill(`A paper boat on a lake (${label})`);
    await page.getByLabel("Shape", { exact: true }).selectOption("16:9");
    await page.locator("#reference-input").setInputFiles(referenceFiles());
    await page.locator("#references li").nth(1).waitFor();
    await page.getByRole("button", { name: "Remove reference-2.png" }).click();
    assert.equal(await page.locator("#references li").count(), 1);
    await page.getByRole("button", { name: "Generate" }).click();
    const resultTile = page.locator("#results li").first();
    await resultTile.locator(".run-state", { hasText: /Generating|Queued/ }).waitFor();
    await screenshot(page, `studio-progress-${label}`);
    await resultTile.locator(".run-state", { hasText: "Done" }).waitFor({ timeout: 20_000 });
    const announced = await page.evaluate(() => window.announced);
    assert.match(announced.at(-1), /^Ready: “A paper boat on a lake/, announced.join(" | "));
    for (const [i, text] of announced.entries()) {
      assert.match(text, /^(Started|Generating|Ready)/, `announced "${text}"`);
      assert.doesNotMatch(text, /\d+ s\b/, "no seconds are announced");
      assert.notEqual(text, announced[i - 1], "the same state is not announced twice");
    }
    assert.deepEqual(await page.locator("#studio-status").evaluate((el) => [el.getAttribute("aria-live"), el.getAttribute("role")]), ["polite", "status"]);
    assert.equal(await page.locator("#results [aria-live], #results [role=status], #results [role=alert]").count(), 0, "tiles are not live regions of their own");
    // The result shows the medium, made before it was done (so already versioned), sized to avoid layout shift;
    // Download is the original.
    const [generation] = (await (await page.request.get(`${url}/api/generations?limit=1`)).json()).generations;
    const [image] = generation.images;
    assert.match(image.medium_url, /\?size=medium&v=\w+$/, "the medium existed when the generation succeeded");
    const resultImage = resultTile.locator(".run-image");
    await page.waitForFunction(() => { const img = document.querySelector("#results li .run-image"); return img?.complete && img.naturalWidth > 0; });
    const shown = await resultImage.evaluate((img) => ({ src: img.getAttribute("src"), width: img.getAttribute("width"), height: img.getAttribute("height") }));
    assert.deepEqual(shown, { src: image.medium_url, width: String(image.width), height: String(image.height) });
    const downloadLink = resultTile.getByRole("link", { name: "Download" });
    assert.deepEqual([await downloadLink.getAttribute("href"), await downloadLink.getAttribute("download")], [image.url, `gptimg-${generation.id}.png`]);
    await page.locator("#credit-balance", { hasText: "106 credits" }).waitFor();
    await screenshot(page, `studio-result-${label}`);

    // The gallery: open it, share, unshare, delete.
    const tile = page.locator("#gallery li").first();
    await tile.getByRole("button", { name: /^Open / }).click(); // each tile also has its favourite star
    const detail = page.locator("#detail");
    await detail.getByText(`A paper boat on a lake (${label})`).waitFor();
    await detail.getByRole("button", { name: "Copy link" }).click();
    const shareUrl = await page.locator("#share-link").getAttribute("href");
    assert.equal(new URL(shareUrl).searchParams.get("size"), "medium", "the share link is the medium");
    const shared = await fetch(shareUrl);
    assert.deepEqual([shared.status, shared.headers.get("content-type")], [200, "image/webp"], "the share link works for anyone");
    await screenshot(page, `gallery-detail-${label}`);
    await detail.getByRole("button", { name: "Stop sharing" }).click();
    await detail.getByText("The public link no longer works.").waitFor();
    assert.equal((await fetch(shareUrl)).status, 404, "revoked");
    await detail.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Delete image" }).click();
    await page.locator("#gallery li", { hasText: "paper boat" }).waitFor({ state: "detached" });
    // The viewer moves on to the next image, or closes when there is none.
    if (await page.locator("#detail[open]").count()) await page.keyboard.press("Escape");
    await detail.waitFor({ state: "hidden" });

    // A failure is explained and refunded.
    await page.getByLabel("Describe your image").fill("This will fail [apipod:fail]");
    await page.locator("#reference-input").setInputFiles([]);
    await page.getByRole("button", { name: "Remove reference-1.png" }).click();
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#results li.failed", { hasText: "credits were refunded" }).waitFor({ timeout: 20_000 });
    await page.locator("#credit-balance", { hasText: "106 credits" }).waitFor();

    // Support, then the account page shows it.
    await page.goto(`${url}/support`);
    await page.getByLabel("Subject").fill("Invoice question");
    await page.getByLabel("Message").fill("Could I get an invoice for my pack?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText(`we will reply to journey-${label}@gptimg.test`).waitFor();
    await screenshot(page, `support-${label}`);

    await page.goto(`${url}/account`);
    await page.locator("#support-list", { hasText: "Invoice question" }).waitFor();
    await page.locator("#ledger-rows tr", { hasText: "Refund for a failed generation" }).waitFor();
    await screenshot(page, `account-${label}`);
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export my data" }).click();
    const download = await downloading;
    const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
    assert.equal(exported.data.account[0].email, `journey-${label}@gptimg.test`);
    assert.ok(exported.data.generations.some((g) => g.prompt.includes("This will fail")));

    // Delete the account with the typed confirmation.
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL(`${url}/?deleted=1`);
    assert.equal(await page.locator("#deletion-notice").textContent(), "Your account and everything we held about it have been deleted.");
    await screenshot(page, `deleted-${label}`);
    await page.locator("#account-nav").getByRole("link", { name: "Sign in with Google" }).waitFor();

    for (const overflowCheck of [await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)]) assert.equal(overflowCheck, false);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`every page loads cleanly at ${label} width`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const url = live.worker.url;
    for (const [name, path] of [["landing", "/"], ["privacy", "/privacy"], ["terms", "/terms"], ["support-anonymous", "/support"]]) {
      await page.goto(url + path);
      await page.locator("footer a", { hasText: "Privacy" }).waitFor();
      assert.equal(await page.locator("footer a[href='/terms']").count(), 1, `${name} has the footer links`);
      assert.equal(await page.locator("body > a.skip-link:first-child[href='#main'] + header").count(), 1, `${name} starts with the skip link`);
      if (name === "landing") await page.locator("#pricing .plan").first().waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, `${name} fits`);
      await screenshot(page, `${name}-${label}`);
    }
    await signInAs(page, url, { name: "Admin Person", email: "admin@gptimg.test", returnTo: "/app" });
    await page.goto(`${url}/admin`);
    await page.getByRole("heading", { name: "Support inbox" }).waitFor();
    await screenshot(page, `admin-${label}`);
    assert.deepEqual(problems, []);

    const missing = await page.goto(`${url}/no-such-page`);
    assert.equal(missing.status(), 404);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await screenshot(page, `not-found-${label}`);
    await context.close();
  });
}

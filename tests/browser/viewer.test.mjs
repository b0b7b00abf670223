// Browser: the full-screen viewer and the gallery's select mode at 390 and 1440 px, on a seeded gallery of real
// images in three shapes. The viewer: the image fills the screen in its own shape with no shift as it loads, ←/→,
// the buttons and (on a phone) a swipe step through the gallery's order, Escape closes with the focus back on the
// opening tile, every action is on screen without scrolling, Copy prompt and Copy link confirm visibly and are
// announced (the clipboard read back), the references used and the recipe in plain words, Delete asks in the app's
// dialog and moves on. Select mode: its bar stays in view while scrolling, bulk favourite, Select all loaded, the
// app's dialog with the count. No native dialog ever opens; axe finds nothing in each state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useWorkerAndBrowser, watchedPage, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.mjs";
import { axeViolations, describeViolations } from "../support/axe.mjs";
import { newPerson } from "../support/people.mjs";
import { seedViewerGallery, signedInContext } from "../support/viewer-seed.mjs";

const live = useWorkerAndBrowser({ before, after });
const IMAGES = 30;

/** What the person sees (the viewer is fixed to the screen, so a full-page shot would say less). */
async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

async function noAxeViolations(page, state) {
  assert.deepEqual(describeViolations(await axeViolations(page)), [], `axe in ${state}`);
}

const prompt = (page) => page.locator("#detail-prompt").textContent();
async function showsPrompt(page, expected) {
  await page.waitForFunction((want) => document.getElementById("detail-prompt").textContent === want, expected, { timeout: 5000 })
    .catch(async () => assert.equal(await prompt(page), expected));
}

/** The viewer image's box once loaded, and the box it had before its bytes arrived. */
async function imageBoxes(page) {
  const early = await page.locator("#detail-image").evaluate((img) => img.getBoundingClientRect().toJSON());
  await page.waitForFunction(() => { const img = document.getElementById("detail-image"); return img.complete && img.naturalWidth > 0; });
  const loaded = await page.locator("#detail-image").evaluate((img) => img.getBoundingClientRect().toJSON());
  return { early, loaded };
}

const inViewport = (box, width, height) => box && box.width > 0 && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5;
const readClipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

for (const [label, width, height] of VIEWPORTS) {
  test(`the viewer and select mode at ${label} width`, async (t) => {
    const worker = live.worker;
    const person = await newPerson(worker, { label: `viewer-${label}` });
    const rows = await seedViewerGallery(worker, person, IMAGES, label === "desktop" ? "v" : "w");
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: worker.url });
    await signedInContext(context, worker, person);
    const nativeDialogs = [];
    page.on("dialog", (dialog) => { nativeDialogs.push(dialog.message()); dialog.dismiss(); });

    await page.goto(`${worker.url}/app`);
    await page.locator("#gallery li").nth(23).waitFor();
    const [newest, second, third] = rows;

    // Open the newest (square) image from its tile.
    const opener = page.locator(`#gallery li[data-id="${newest.id}"] .tile`);
    await opener.click();
    const viewer = page.locator("#detail[open]");
    await viewer.waitFor();
    await showsPrompt(page, newest.prompt);
    const square = await imageBoxes(page);
    assert.deepEqual(square.early, square.loaded, "the image's box is known before it loads (no shift)");
    const stage = await page.locator("#detail-stage").boundingBox();
    const box = square.loaded;
    assert.ok(box.width >= 0.8 * stage.width || box.height >= 0.8 * stage.height, `image ${JSON.stringify(box)} fills the stage ${JSON.stringify(stage)}`);
    assert.ok(box.width >= 0.8 * width || box.height >= 0.8 * height, `image ${box.width}×${box.height} fills most of the ${width}×${height} screen`);
    assert.ok(Math.abs(box.width / box.height - 1) < 0.01, "a square is drawn square");
    t.diagnostic(`square image drawn ${Math.round(box.width)}×${Math.round(box.height)} px on a ${width}×${height} screen`);

    // Every action and the close button are on screen without scrolling.
    const actions = await page.locator("#detail-actions > *").evaluateAll((nodes) => nodes.map((n) => ({ name: n.textContent, ...n.getBoundingClientRect().toJSON() })));
    assert.deepEqual(actions.map((a) => a.name), ["Download", "Remix", "Use as reference", "☆ Favourite", "Copy link", "Delete"]);
    for (const action of [...actions, { name: "Close", ...(await page.getByRole("button", { name: "Close viewer" }).boundingBox()) }]) {
      assert.ok(inViewport(action, width, height), `${action.name} is on screen: ${JSON.stringify(action)}`);
      assert.ok(action.height >= 24 && action.width >= 24, `${action.name} is a big enough target`);
    }

    // The recipe in plain words, and the references used as thumbnails.
    const facts = await page.locator("#detail-facts").innerText();
    const shown = await (await page.request.get(`${worker.url}/api/generations/${newest.id}`)).json();
    assert.match(facts, new RegExp(`Model\\s+${shown.model_name}`));
    assert.match(facts, /Shape\s+1:1 square · 320 × 320 px/);
    assert.match(facts, /Cost\s+2 credits/);
    assert.doesNotMatch(facts, /status|succeeded/i, "no raw status");
    assert.equal(await page.locator("#detail-outcome").isVisible(), false, "nothing to say about an image that worked");
    const references = await page.locator("#detail-references img").evaluateAll((imgs) => imgs.map((img) => img.getAttribute("src")));
    assert.deepEqual(references.map((src) => src.split("?")[0]), [`/images/${second.imageId}`, `/images/${third.imageId}`]);
    await page.waitForFunction(() => [...document.querySelectorAll("#detail-references img")].every((img) => img.complete && img.naturalWidth > 0));

    // Copy prompt: the clipboard holds it, and "Prompt copied" shows beside the button in a status region.
    await page.getByRole("button", { name: "Copy prompt" }).click();
    await page.locator("#detail-prompt-copied[role=status]", { hasText: "Prompt copied" }).waitFor();
    assert.equal(await readClipboard(page), newest.prompt);
    assert.equal(await page.locator("#detail-prompt-copied").isVisible(), true);

    // Copy link: shares first, then copies the share page's URL; "Link copied" shows under the actions.
    await page.getByRole("button", { name: "Copy link" }).click();
    await page.locator("#detail-action-status[role=status]", { hasText: "Link copied" }).waitFor();
    const copied = await readClipboard(page);
    assert.match(copied, /^http:\/\/[^/]+\/s\/\w+/);
    const sharedNow = await (await page.request.get(`${worker.url}/api/generations/${newest.id}`)).json();
    assert.equal(sharedNow.shared, true);
    assert.equal(sharedNow.share_page_url, copied);
    const shareField = page.getByLabel("Share page link");
    assert.equal(await shareField.inputValue(), copied);
    assert.ok((await shareField.boundingBox()).height < 48, "the link is one line, not wrapped");
    assert.equal((await fetch(copied)).status, 200, "the copied link works for anyone");
    await screenshot(page, `viewer-${label}`);
    await noAxeViolations(page, `the viewer at ${label} width`);

    // → and ← step to the neighbours in the gallery's order; the buttons do too.
    const stepped = Date.now();
    await page.keyboard.press("ArrowRight");
    await showsPrompt(page, second.prompt);
    t.diagnostic(`→ to the neighbour's prompt: ${Date.now() - stepped} ms`);
    const wide = await imageBoxes(page);
    assert.deepEqual(wide.early, wide.loaded, "a landscape's box is known before it loads");
    assert.ok(Math.abs(wide.loaded.width / wide.loaded.height - 16 / 9) < 0.02, "a 16:9 image is drawn 16:9");
    assert.ok(wide.loaded.width >= 0.8 * stage.width, "a landscape fills the stage's width");
    assert.equal(await page.locator("#detail-position").textContent(), `2 of ${await page.locator("#gallery li").count()}`);
    await page.keyboard.press("ArrowRight");
    await showsPrompt(page, third.prompt);
    await page.keyboard.press("ArrowLeft");
    await showsPrompt(page, second.prompt);
    await page.getByRole("button", { name: "Previous image" }).click();
    await showsPrompt(page, newest.prompt);
    assert.equal(await page.getByRole("button", { name: "Previous image" }).isDisabled(), true, "nothing before the newest");
    await page.getByRole("button", { name: "Next image" }).click();
    await showsPrompt(page, second.prompt);
    await page.keyboard.press("ArrowLeft");
    await showsPrompt(page, newest.prompt);

    if (label === "phone") {
      // A swipe to the left shows the next image, to the right the previous one.
      const swipe = async (fromX, toX) => {
        await page.mouse.move(fromX, 300);
        await page.mouse.down();
        await page.mouse.move((fromX + toX) / 2, 305, { steps: 4 });
        await page.mouse.move(toX, 310, { steps: 4 });
        await page.mouse.up();
      };
      await swipe(320, 80);
      await showsPrompt(page, second.prompt);
      await swipe(80, 320);
      await showsPrompt(page, newest.prompt);
    }

    // The focus stays in the viewer, both ways round.
    for (const key of ["Tab", "Shift+Tab"]) {
      for (let i = 0; i < 25; i++) await page.keyboard.press(key);
      assert.equal(await page.evaluate(() => document.getElementById("detail").contains(document.activeElement)), true, `${key} stays in the viewer`);
    }

    // Escape closes; the focus is back on the tile that opened it.
    await page.keyboard.press("Escape");
    await page.locator("#detail").waitFor({ state: "hidden" });
    await page.waitForFunction((id) => document.activeElement.closest("li")?.dataset.id === id, newest.id, { timeout: 2000 }).catch(() => null);
    assert.equal(await page.evaluate(() => document.activeElement.closest("li")?.dataset.id), newest.id);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains("tile")), true);

    // A failure is said plainly: what happened, the refund, and Try again instead of the image's actions.
    await page.locator(`#gallery li[data-id="${rows[8].id}"] .tile`).click();
    await showsPrompt(page, rows[8].prompt);
    assert.equal(await page.locator("#detail-outcome").textContent(), "This image could not be made. The image service could not make this image. Your 2 credits were refunded.");
    assert.match(await page.locator("#detail-facts").innerText(), /Cost\s+2 credits, refunded/);
    assert.doesNotMatch(await page.locator("#detail-facts").innerText(), /failed/i);
    assert.deepEqual(await page.locator("#detail-actions > *").allTextContents(), ["Try again", "Delete"]);
    assert.equal(await page.locator("#detail-placeholder").textContent(), "No image was made.");
    await screenshot(page, `viewer-failed-${label}`);
    await page.keyboard.press("Escape");
    await page.locator("#detail").waitFor({ state: "hidden" });

    // Delete from the viewer: the app's own dialog, then the next image in its place.
    await page.locator(`#gallery li[data-id="${third.id}"] .tile`).click();
    await showsPrompt(page, third.prompt);
    await page.locator("#detail-actions").getByRole("button", { name: "Delete" }).click();
    const confirmDialog = page.locator("dialog.confirm-dialog[open]");
    await confirmDialog.waitFor();
    assert.match(await confirmDialog.textContent(), /Delete this image\?.*cannot be undone/s);
    await screenshot(page, `viewer-confirm-delete-${label}`);
    await noAxeViolations(page, `the delete confirmation at ${label} width`);
    await confirmDialog.getByRole("button", { name: "Delete image" }).click();
    await showsPrompt(page, rows[3].prompt);
    await page.locator(`#gallery li[data-id="${third.id}"]`).waitFor({ state: "detached" });
    assert.equal((await page.request.get(`${worker.url}/api/generations/${third.id}`)).status(), 404);
    await page.keyboard.press("Escape");
    await page.locator("#detail").waitFor({ state: "hidden" });

    // Select mode: pick three, then scroll on; the bar stays in view (above the phone's Generate bar).
    await page.getByRole("button", { name: "Select", exact: true }).click();
    const bar = page.locator("#gallery-selection");
    await bar.waitFor();
    await noAxeViolations(page, `select mode at ${label} width`);
    const picks = [rows[4], rows[6], rows[7]];
    for (const row of picks) await page.locator(`#gallery li[data-id="${row.id}"] .tile`).click();
    await page.locator("#gallery-selected-count", { hasText: "3 selected" }).waitFor();
    await page.evaluate(() => window.scrollBy(0, 1400));
    await page.waitForTimeout(200);
    const barBox = await bar.boundingBox();
    assert.ok(inViewport(barBox, width, height), `the select bar is in view after scrolling: ${JSON.stringify(barBox)}`);
    if (label === "phone") {
      const generateBar = await page.locator(".generate-bar").boundingBox();
      assert.ok(barBox.y + barBox.height <= generateBar.y + 0.5, `the select bar ${JSON.stringify(barBox)} is above the Generate bar ${JSON.stringify(generateBar)}`);
    }
    await screenshot(page, `gallery-select-${label}`);

    // Bulk favourite: every picked image becomes a favourite (rows[5] untouched), announced.
    const before = await Promise.all(picks.map(async (row) => (await (await page.request.get(`${worker.url}/api/generations/${row.id}`)).json()).favourite));
    await page.getByRole("button", { name: "★ Favourite", exact: true }).click();
    const expectedAdded = before.filter((f) => !f).length;
    await page.locator("#toast", { hasText: `Added ${expectedAdded} image${expectedAdded === 1 ? "" : "s"} to favourites.` }).waitFor();
    for (const row of picks) {
      assert.equal((await (await page.request.get(`${worker.url}/api/generations/${row.id}`)).json()).favourite, true, `${row.prompt} is a favourite`);
      await page.locator(`#gallery li[data-id="${row.id}"] .tile-star[aria-pressed="true"]`).waitFor();
    }
    assert.equal((await (await page.request.get(`${worker.url}/api/generations/${rows[5].id}`)).json()).favourite, rows[5].favourite);

    // Download selected: each picked image as its own file.
    const downloads = [];
    page.on("download", (download) => downloads.push(download.suggestedFilename()));
    await page.getByRole("button", { name: "Download", exact: true }).click();
    await page.locator("#toast", { hasText: "Downloading 3 images." }).waitFor();
    for (let i = 0; i < 40 && downloads.length < 3; i++) await page.waitForTimeout(50);
    assert.deepEqual(downloads.sort(), picks.map((row) => `gptimg-${row.id}.png`).sort());

    // Delete selected asks in the app's dialog with the count; Cancel keeps them.
    await page.getByRole("button", { name: "Delete selected (3)" }).click();
    await confirmDialog.waitFor();
    assert.match(await confirmDialog.locator("h2").textContent(), /^Delete 3 images\?$/);
    await confirmDialog.getByRole("button", { name: "Cancel" }).click();
    await confirmDialog.waitFor({ state: "detached" });
    assert.equal(await page.locator("#gallery li.is-selected").count(), 3);

    // Select all loaded counts every tile shown; then delete three for good.
    const loaded = await page.locator("#gallery li").count();
    await page.getByRole("button", { name: "Select all loaded" }).click();
    await page.locator("#gallery-selected-count", { hasText: `${loaded} selected` }).waitFor();
    await page.getByRole("button", { name: "Done", exact: true }).click();
    assert.equal(await bar.isVisible(), false, "Done leaves select mode");
    await page.getByRole("button", { name: "Select", exact: true }).click();
    await page.keyboard.press("Escape");
    await bar.waitFor({ state: "hidden" });
    assert.equal(await page.locator("#gallery li.is-selected").count(), 0, "Escape leaves select mode, choosing nothing");
    await page.getByRole("button", { name: "Select", exact: true }).click();
    for (const row of picks) await page.locator(`#gallery li[data-id="${row.id}"] .tile`).click();
    await page.getByRole("button", { name: "Delete selected (3)" }).click();
    await confirmDialog.getByRole("button", { name: "Delete 3 images" }).click();
    await page.locator("#toast", { hasText: "Deleted 3." }).waitFor();
    for (const row of picks) await page.locator(`#gallery li[data-id="${row.id}"]`).waitFor({ state: "detached" });
    assert.equal(await bar.isVisible(), false, "select mode ends after deleting");

    assert.deepEqual(nativeDialogs, [], "no native dialog");
    // axe.mjs first tries an inline <script>, which our CSP blocks (it then injects otherwise): that line only.
    assert.deepEqual(problems.filter((p) => !p.includes("Executing inline script violates")), []);
    await context.close();
  });
}

// Browser: the studio at 390 and 1440 px — the layout (controls beside or above the recent jobs, the header on one
// line, Generate always reachable), several generations running at once each with its own progress, the one
// credit balance on debit and refund, Ctrl+Enter, Escape, and the states that say what to do next (first time,
// insufficient credits with a buy link that comes back here, a failed provider, the rate limit's retry time, Remix);
// then 2 images in one request with one failing (one card, one image, one refund), Use as reference and a dropped gallery
// tile reaching APIPod as image_urls with nothing re-uploaded, Remix bringing the reference back, and a share page
// with the prompt that 404s once revoked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs } from "../support/browser.mjs";
import { apipodSaw } from "../support/generation-flow.mjs";

const live = useWorkerAndBrowser({ before, after });

/** Every balance shown on the page: the header badge and the cost line show the same single number. */
async function balances(page) {
  return page.locator("[data-balance]").evaluateAll((nodes) => nodes.map((n) => n.textContent));
}

async function expectBalance(page, text) {
  await page.waitForFunction((want) => {
    const shown = [...document.querySelectorAll("[data-balance]")].map((n) => n.textContent);
    return shown.length >= 2 && shown.every((t) => t === want);
  }, text, { timeout: 20_000 });
}

/** A screenshot once the result images on screen have loaded (so the picture shows the state, not blank frames);
 *  those below the fold are lazy and load only when scrolled to. */
async function shot(page, name) {
  await page.waitForFunction(() => [...document.querySelectorAll("#results img")].every((img) => {
    const box = img.getBoundingClientRect();
    return img.complete || box.top > innerHeight || box.bottom < 0;
  }));
  await screenshot(page, name);
}

async function generateWith(page, prompt, { keyboard = false } = {}) {
  await page.getByLabel("Describe your image").fill(prompt);
  const before = await page.locator("#results li").count();
  if (keyboard) {
    await page.getByLabel("Describe your image").focus();
    await page.keyboard.press("Control+Enter");
  } else {
    await page.getByRole("button", { name: "Generate" }).click();
  }
  return before;
}

for (const [label, width, height] of VIEWPORTS) {
  test(`the studio at ${label} width: layout, several at once, balance, states`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    page.on("dialog", (dialog) => dialog.accept());
    const url = live.worker.url;
    await signInAs(page, url, { name: `Studio ${label}`, email: `studio-${label}@gptimg.test`, returnTo: "/app" });
    await page.locator("#cost-total", { hasText: /^4 credits$/ }).waitFor();

    // First time: the hint says where to start; the header is one line at every width.
    await page.locator("#first-hint").waitFor();
    const header = await page.evaluate(() => {
      const h = document.querySelector(".site-header");
      const style = getComputedStyle(h);
      const inner = h.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      const items = [h.querySelector(".brand"), ...h.querySelectorAll("#account-nav > *")].map((n) => n.getBoundingClientRect());
      const tallest = Math.max(...items.map((r) => r.height));
      const tops = items.map((r) => Math.round(r.top + r.height / 2));
      return { inner, tallest, centres: new Set(tops).size, overflow: h.scrollWidth > h.clientWidth };
    });
    assert.ok(header.inner <= header.tallest + 1, `the header is one line (${header.inner} px for items ${header.tallest} px tall)`);
    assert.equal(header.overflow, false, "nothing in the header overflows");
    assert.deepEqual(await balances(page), ["10 credits", "10 credits"]);
    // Desktop: controls on the left and results on the right; phone: stacked, Generate fixed at the bottom.
    const form = await page.locator("#generator").boundingBox();
    const results = await page.locator("#results-section").boundingBox();
    if (width >= 1024) assert.ok(results.x > form.x + form.width - 1, "results beside the controls");
    else assert.ok(results.y >= form.y + form.height - 1, "results below the controls");
    await shot(page, `studio-empty-${label}`);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const button = await page.getByRole("button", { name: "Generate" }).boundingBox();
    assert.ok(button.y >= 0 && button.y + button.height <= height, "Generate is on screen after scrolling down");

    // Ctrl+Enter with nothing written says what to do.
    await page.getByLabel("Describe your image").focus();
    await page.keyboard.press("Control+Enter");
    await page.locator("#generator-message", { hasText: "Describe your image first" }).waitFor();

    // The provider fails: the debit shows at once, then the refund, and the tile says to try again.
    await generateWith(page, `A failing lighthouse (${label}) [apipod:fail] [apipod-delay:1500]`, { keyboard: true });
    await expectBalance(page, "6 credits");
    const failed = page.locator("#results li.failed");
    await failed.waitFor({ timeout: 20_000 });
    assert.match(await failed.textContent(), /refunded.*try again/i);
    await expectBalance(page, "10 credits");
    await shot(page, `studio-provider-failed-${label}`);

    // Two slow ones running, then a third that the balance cannot pay: the buy link returns to the studio.
    await generateWith(page, `Slow fox A (${label}) [apipod-delay:8000]`);
    await generateWith(page, `Slow fox B (${label}) [apipod-delay:8000]`);
    await expectBalance(page, "2 credits");
    await generateWith(page, `Too expensive (${label})`);
    const buy = page.locator("#generator-message").getByRole("link", { name: "Buy credits" });
    await buy.waitFor();
    assert.match(await page.locator("#generator-message").textContent(), /costs 4 credits and you have 2/);
    assert.equal(await buy.getAttribute("href"), "/account?return_to=%2Fapp#billing-heading");
    assert.equal(await page.locator("#results li.running").count(), 2, "two run at once");
    await shot(page, `studio-insufficient-${label}`);
    await buy.click();
    await page.locator(".plan", { hasText: "100 credits" }).first().getByRole("button", { name: "Buy" }).click();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL((u) => u.pathname === "/app");
    // The webhook has landed before the page loads: it says so at once.
    await page.locator("#checkout-note", { hasText: "Payment confirmed — you now have 102 credits." }).waitFor();
    assert.equal(new URL(page.url()).search, "", "the checkout query is taken off the address");
    await expectBalance(page, "102 credits");

    // Three at once, each with its own progress and seconds; they finish on their own, newest first.
    const prompts = [3000, 6000, 9000].map((ms, i) => `Three at once ${i + 1} (${label}) [apipod-delay:${ms}]`);
    for (const prompt of prompts) {
      const count = await generateWith(page, prompt);
      await page.locator("#results li").nth(count).waitFor();
    }
    await expectBalance(page, "90 credits");
    // (Back from checkout, the list also holds the earlier jobs, the slow foxes perhaps still running.)
    const running = page.locator("#results li.running", { hasText: "Three at once" });
    await page.waitForFunction(() => [...document.querySelectorAll("#results li.running")].filter((li) => li.textContent.includes("Three at once")).length === 3);
    assert.equal(await page.locator("#results li .job-prompt").first().textContent(), prompts[2], "newest first");
    assert.equal(await running.locator("[role=progressbar]").count(), 3, "a progress bar each");
    // Noted in the page the moment the first one's image lands (the screenshot below may take seconds on a busy host).
    await page.evaluate((firstPrompt) => {
      const list = document.getElementById("results");
      const note = () => {
        const first = [...list.children].find((li) => li.querySelector(".job-prompt")?.textContent === firstPrompt);
        if (!first?.querySelector(".run-image")) return;
        window.runningWhenFirstLanded = [...list.querySelectorAll("li.running")].filter((li) => li.textContent.includes("Three at once")).length;
        watch.disconnect();
      };
      const watch = new MutationObserver(note);
      watch.observe(list, { subtree: true, childList: true, attributes: true });
      note();
    }, prompts[0]);
    await page.waitForTimeout(1500);
    await shot(page, `studio-three-running-${label}`);
    const elapsed = await running.locator(".run-elapsed").allTextContents();
    assert.equal(elapsed.length, 3);
    assert.ok(elapsed.every((t) => /^\d+ s$/.test(t)), elapsed.join());
    assert.ok(Number.parseInt(elapsed[2], 10) >= Number.parseInt(elapsed[0], 10), `older runs count longer: ${elapsed}`);
    // The first one ends while the other two still run.
    const first = page.locator("#results li", { hasText: prompts[0] });
    await first.locator(".run-image").waitFor({ timeout: 20_000 });
    assert.ok(await page.evaluate(() => window.runningWhenFirstLanded) >= 1, "the others still run");
    for (const prompt of prompts) await page.locator("#results li.done", { hasText: prompt }).waitFor({ timeout: 30_000 });
    for (const prompt of prompts) assert.equal(apipodSaw(live.worker, prompt).tasks.length, 1, "one task each");
    await page.locator("#gallery li", { hasText: prompts[2] }).waitFor();
    await expectBalance(page, "90 credits");
    await shot(page, `studio-results-${label}`);

    // Details opens the dialog; Escape closes it.
    await first.getByRole("button", { name: "Details" }).click();
    await page.locator("#detail[open]").waitFor();
    await shot(page, `studio-detail-${label}`);
    await page.keyboard.press("Escape");
    await page.locator("#detail").waitFor({ state: "hidden" });

    // Remix puts the prompt, model, shape and quality back; APIPod gets exactly those.
    await page.getByLabel("Model", { exact: true }).selectOption("nano-banana-2");
    await page.getByLabel("Shape", { exact: true }).selectOption("16:9");
    await page.getByLabel("Quality", { exact: true }).selectOption("2K");
    const source = `Remix source (${label}) [apipod-delay:300]`;
    await generateWith(page, source);
    const sourceTile = page.locator("#results li.done", { hasText: source });
    await sourceTile.waitFor({ timeout: 20_000 });
    await expectBalance(page, "87 credits");
    await page.getByLabel("Model", { exact: true }).selectOption("seedream-v4.5");
    await page.getByLabel("Describe your image").fill("something else");
    await sourceTile.getByRole("button", { name: "Remix" }).click();
    assert.deepEqual(await page.evaluate(() => ["prompt", "model", "aspect", "quality"].map((id) => document.getElementById(id).value)),
      [source, "nano-banana-2", "16:9", "2K"]);
    assert.equal(await page.evaluate(() => document.activeElement.id), "prompt", "the prompt is focused to edit");
    const remixed = source.replace("Remix source", "Remixed");
    await generateWith(page, remixed);
    await page.locator("#results li.done", { hasText: remixed }).waitFor({ timeout: 20_000 });
    const [submission] = apipodSaw(live.worker, remixed).submissions;
    assert.deepEqual([submission.input.model, submission.input.aspect_ratio, submission.input.quality], ["nano-banana-2", "16:9", "2K"]);
    await expectBalance(page, "84 credits");

    // Never more than the in-flight limit at once; past the limits the message says when to try again.
    await page.getByLabel("Model", { exact: true }).selectOption("seedream-v4.5");
    const limited = page.locator("#generator-message", { hasText: /You can try again in \d+ s/ });
    // The per-minute limit or, at the latest on the 7th, the in-flight limit refuses one.
    for (let i = 0; i < 7 && !(await limited.isVisible()); i++) {
      const count = await generateWith(page, `Stalled ${i} (${label}) [apipod:stall]`);
      await page.waitForFunction((n) => document.querySelectorAll("#results li").length > n || /try again in/.test(document.getElementById("generator-message").textContent), count);
    }
    await limited.waitFor();
    assert.ok(await page.locator("#results li.running").count() <= 6, "at most the in-flight limit runs");
    await shot(page, `studio-rate-limited-${label}`);

    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, "fits the width");
    assert.deepEqual(problems.filter((p) => !/status of 429|status of 402/.test(p)), []);
    await context.close();
  });
}

/** Drops an image of ours on the reference zone exactly as a dragged gallery tile does (gallery.js's drag data). */
async function dropImage(page, data) {
  await page.evaluate((json) => {
    const transfer = new DataTransfer();
    transfer.setData("application/x-gptimg-image", json);
    const zone = document.getElementById("dropzone");
    for (const type of ["dragenter", "dragover", "drop"]) zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, JSON.stringify(data));
}

for (const [label, width, height] of VIEWPORTS) {
  test(`the studio at ${label} width: several images per request, use as reference, drop from the gallery, share page`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    page.on("dialog", (dialog) => dialog.accept());
    const url = live.worker.url;
    const email = `go-on-${label}@gptimg.test`;
    await signInAs(page, url, { name: `Go on ${label}`, email, returnTo: "/account" });
    await page.locator(".plan", { hasText: "100 credits" }).first().getByRole("button", { name: "Buy" }).click();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.locator("#credit-balance", { hasText: "110 credits" }).waitFor();
    await page.goto(`${url}/app`);
    await page.locator("#cost-total", { hasText: /^4 credits$/ }).waitFor();
    // A first image, alone.
    const first = `A heron alone (${label})`;
    await generateWith(page, first);
    await page.locator("#results li.done", { hasText: first }).waitFor({ timeout: 20_000 });
    await expectBalance(page, "106 credits");

    // Two images in one request, one of which the provider fails: one image shows, one refund of 4.
    await page.getByLabel("Images", { exact: true }).selectOption("2");
    await page.locator("#cost-total", { hasText: /^8 credits · 2 × 4$/ }).waitFor();
    const pair = `A pair of herons (${label}) [apipod:fail_every_second] [apipod-delay:1500]`;
    await generateWith(page, pair);
    await expectBalance(page, "98 credits");
    // One request, one card: two cells, each with its own progress, then one image and one failure in their cells.
    const pairCard = page.locator("#results li", { hasText: "A pair of herons" });
    await page.waitForFunction(() => document.querySelectorAll("#results li.running .job-image.running").length === 2);
    await shot(page, `studio-two-running-${label}`);
    await pairCard.locator(".job-image.failed").waitFor({ timeout: 20_000 });
    await pairCard.locator(".job-image.done").waitFor({ timeout: 20_000 });
    assert.equal(await pairCard.count(), 1, "the two images are one card");
    assert.equal(await pairCard.locator(".job-image").count(), 2);
    assert.match(await pairCard.locator(".job-summary").textContent(), /1 of 2 done · 1 failed/);
    assert.match(await pairCard.locator(".job-failure").textContent(), /Image [12] of 2: .*refunded.*try again/i);
    assert.equal(await pairCard.locator(".job-image.failed").getByRole("button", { name: "Try again" }).count(), 1);
    assert.equal(apipodSaw(live.worker, pair).tasks.length, 2, "one APIPod task per image");
    await expectBalance(page, "102 credits");
    await shot(page, `studio-one-of-two-failed-${label}`);
    await page.getByLabel("Images", { exact: true }).selectOption("1");

    // Use as reference: the stored image goes to APIPod (no upload), the edit model is used.
    const done = page.locator("#results li.done", { hasText: "A pair of herons" });
    await done.getByRole("button", { name: "Use as reference" }).click();
    await page.locator("#references li").waitFor();
    const uploadsBefore = await live.worker.db.prepare("SELECT COUNT(*) AS n FROM uploads").first("n");
    const withReference = `Herons at night (${label})`;
    await generateWith(page, withReference);
    await page.locator("#results li.done", { hasText: withReference }).waitFor({ timeout: 20_000 });
    const [sent] = apipodSaw(live.worker, withReference).submissions;
    assert.equal(sent.input.model, "seedream-v4.5-edit");
    assert.equal(sent.input.image_urls.length, 1);
    assert.equal(sent.references[0].status, 200, "APIPod could fetch the stored image");
    assert.equal(await live.worker.db.prepare("SELECT COUNT(*) AS n FROM uploads").first("n"), uploadsBefore, "nothing re-uploaded");

    // Remix brings the reference back with the prompt.
    await page.locator("#references li button").click();
    await page.locator("#results li.done", { hasText: withReference }).getByRole("button", { name: "Remix" }).click();
    await page.locator("#references li").waitFor();
    const remixed = `${withReference} remixed`;
    await page.getByLabel("Describe your image").fill(remixed);
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("#results li.done", { hasText: remixed }).waitFor({ timeout: 20_000 });
    const [again] = apipodSaw(live.worker, remixed).submissions;
    assert.deepEqual([again.input.model, again.input.image_urls.length], ["seedream-v4.5-edit", 1]);

    // A gallery tile dropped on the reference zone becomes a reference.
    await page.locator("#references li button").click();
    const [latest] = (await (await page.request.get(`${url}/api/generations?limit=1`)).json()).generations;
    const galleryTile = page.locator(`#gallery li[data-id="${latest.id}"]`);
    assert.ok(await galleryTile.evaluate((li) => li.draggable || Boolean(li.querySelector("[draggable=true]"))), "gallery tiles are draggable");
    // A real drag in Chromium where both ends fit on the screen; the same drop event with the gallery's data elsewhere.
    if (width >= 1024) await galleryTile.dragTo(page.locator("#dropzone"));
    else await dropImage(page, { id: latest.images[0].id, url: latest.images[0].preview_url, generation_id: latest.id });
    await page.locator("#references li").waitFor();
    const dropped = `From a dropped tile (${label})`;
    await generateWith(page, dropped);
    await page.locator("#results li.done", { hasText: dropped }).waitFor({ timeout: 20_000 });
    assert.equal(apipodSaw(live.worker, dropped).submissions[0].input.image_urls.length, 1);

    // Share with the prompt: the share page shows it and unfurls; revoked, it is a 404.
    await page.locator("#results li.done", { hasText: dropped }).getByRole("button", { name: "Details" }).click();
    const detail = page.locator("#detail");
    await detail.getByLabel("Show the prompt on the share page").check();
    await detail.getByRole("button", { name: "Copy link" }).click();
    const pageUrl = await page.locator("#share-page-link").getAttribute("href");
    assert.match(pageUrl, /\/s\/[\w-]+$/);
    const shared = await (await fetch(pageUrl)).text();
    assert.ok(shared.includes(dropped.replace(/&/g, "&amp;")), "the prompt is shown");
    assert.match(shared, /property="og:image"/);
    await shot(page, `studio-share-${label}`);
    await detail.getByRole("button", { name: "Stop sharing" }).click();
    await detail.getByText("The public link no longer works.").waitFor();
    assert.equal((await fetch(pageUrl)).status, 404);

    assert.deepEqual(problems, []);
    await context.close();
  });
}

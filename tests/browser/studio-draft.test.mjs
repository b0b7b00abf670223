// Browser: the studio form at 390 and 1440 px — one total cost beside Generate (price × count for every model,
// quality and count; menus without prices; what to do when the balance is short), references as chips in the
// prompt box above the phone's fixed Generate bar, "Use as reference" confirmed by an announced toast, the draft
// (prompt, model, shape, quality, count, references) kept across a reload, a deleted reference, a cancelled and a
// paid checkout; and a signed-out Buy on the landing page going through sign-in straight into that plan's Checkout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS, signInAs, acceptTermsInDialog } from "../support/browser.mjs";
import { axeViolations, describeViolations } from "../support/axe.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const live = useWorkerAndBrowser({ before, after });

async function expectNoAxeViolations(page, state) {
  const lines = describeViolations(await axeViolations(page));
  assert.deepEqual(lines, [], `axe in ${state}:\n${lines.join("\n")}`);
}

/** Console lines that are not the page's: axe's first way in, an inline script, is refused by our CSP (axe.mjs). */
const pageProblems = (problems) => problems.filter((p) => !p.includes("Executing inline script violates"));

/** What the form holds, as a person would read it off the controls. */
const formNow = (page) => page.evaluate(() => ({
  prompt: document.getElementById("prompt").value,
  model: document.getElementById("model").value,
  aspect: document.getElementById("aspect").value,
  quality: document.getElementById("quality").value,
  count: document.getElementById("count").value,
  chips: [...document.querySelectorAll("#references li img")].map((img) => img.alt),
}));

async function waitForChips(page, n) {
  await page.waitForFunction((want) => document.querySelectorAll("#references li.chip:not(.chip-pending)").length === want
    && [...document.querySelectorAll("#references img")].every((img) => img.complete && img.naturalWidth > 0), n);
}

/** On screen with the prompt scrolled to the top, and on a phone above the fixed Generate bar. */
async function expectInPromptArea(page, locator, width) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const rect = await locator.boundingBox();
  const bar = await page.locator(".generate-bar").boundingBox();
  assert.ok(rect && rect.y >= 0, "on screen");
  if (width < 1024) assert.ok(rect.y + rect.height <= bar.y, `above the fixed Generate bar (${rect.y + rect.height} ≤ ${bar.y})`);
}

const referenceFile = () => {
  const file = `${fs.mkdtempSync("/tmp/gptimg-draft-")}/sketch.png`;
  fs.writeFileSync(file, encodePng(60, 40, (x, y) => [x * 4, 90, y * 6]));
  return file;
};

for (const [label, width, height] of VIEWPORTS) {
  test(`the studio form at ${label} width: one total cost, reference chips, the draft across reload, sign-in and checkout`, async (t) => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const url = live.worker.url;
    await signInAs(page, url, { name: `Draft ${label}`, email: `draft-${label}@gptimg.test`, returnTo: "/app" });
    await page.locator("#cost-total").waitFor();

    // Menus name the model and the quality only; the longest model name is not cut.
    const options = await page.locator("#model option, #quality option").allTextContents();
    assert.ok(options.length > 0 && options.every((text) => !/credit/i.test(text)), options.join(" | "));
    const fit = await page.locator("#model").evaluate((select) => {
      const style = getComputedStyle(select);
      const context2d = document.createElement("canvas").getContext("2d");
      context2d.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const widest = Math.max(...[...select.options].map((o) => context2d.measureText(o.text).width));
      return { needed: widest + parseFloat(style.paddingLeft) + 24, has: select.clientWidth };
    });
    assert.ok(fit.needed <= fit.has, `the Model menu fits its longest name (${fit.needed} ≤ ${fit.has} px)`);
    // The Ctrl/⌘+Enter hint only where there is a keyboard-sized screen.
    assert.equal(await page.locator(".keyboard-hint").isVisible(), width >= 1024);
    assert.doesNotMatch(await page.locator("#first-hint").textContent(), /on the left|above on a phone/);

    // One total beside Generate: price × count for every model, quality and count, as /api/models prices them.
    const { models } = await (await page.request.get(`${url}/api/models`)).json();
    for (const model of models) {
      await page.getByLabel("Model", { exact: true }).selectOption(model.id);
      for (const quality of model.qualities ?? [null]) {
        if (quality) await page.getByLabel("Quality", { exact: true }).selectOption(quality);
        const each = model.quality_credits?.[quality] ?? model.credits_per_image;
        for (const n of [1, 3]) {
          await page.getByLabel("Images", { exact: true }).selectOption(String(n));
          const want = n > 1 ? `${each * n} credits · ${n} × ${each}` : `${each} credit${each === 1 ? "" : "s"}`;
          assert.equal(await page.locator("#cost-total").textContent(), want, `${model.id} ${quality} × ${n}`);
        }
      }
    }
    const button = await page.getByRole("button", { name: "Generate" }).boundingBox();
    const cost = await page.locator("#cost").boundingBox();
    assert.ok(Math.abs((cost.y + cost.height / 2) - (button.y + button.height / 2)) < button.height && cost.x > button.x + button.width - 1,
      `the total is right beside the Generate button (${JSON.stringify({ button, cost })})`);
    // Short before the click: 3 × 8 = 24 credits against 10.
    await page.getByLabel("Model", { exact: true }).selectOption("nano-banana-pro");
    await page.getByLabel("Quality", { exact: true }).selectOption("4K");
    assert.equal(await page.locator("#cost .cost-balance").textContent(), "You have 10 credits — Buy credits");
    assert.equal(await page.locator("#cost").getByRole("link", { name: "Buy credits" }).getAttribute("href"), "/account?return_to=%2Fapp#billing-heading");
    await expectNoAxeViolations(page, "short of credits");
    await screenshot(page, `studio-cost-short-${label}`);

    // A first image to use as a reference (the default model, 4 credits).
    await page.getByLabel("Model", { exact: true }).selectOption("seedream-v4.5");
    await page.getByLabel("Quality", { exact: true }).selectOption("2K");
    await page.getByLabel("Images", { exact: true }).selectOption("1");
    await page.getByLabel("Describe your image").fill(`A heron to reuse (${label}) [apipod-delay:300]`);
    await page.getByRole("button", { name: "Generate" }).click();
    const done = page.locator("#results li.done").first();
    await done.waitFor({ timeout: 20_000 });
    const announced = page.evaluate(() => new Promise((resolve) => {
      const toast = document.getElementById("toast");
      new MutationObserver(() => { if (toast.textContent) resolve({ text: toast.textContent, role: toast.getAttribute("role"), live: toast.getAttribute("aria-live") }); })
        .observe(toast, { childList: true, characterData: true, subtree: true });
    }));
    await done.getByRole("button", { name: "Use as reference" }).click();
    assert.deepEqual(await announced, { text: "Added as a reference", role: "status", live: "polite" });
    await page.waitForFunction(() => document.getElementById("toast").getBoundingClientRect().top >= 0); // after its slide-in
    const toastBox = await page.locator("#toast").boundingBox();
    assert.ok(toastBox.y >= 0 && toastBox.y + toastBox.height <= height / 3, "the toast is at the top of the screen");

    // The draft: prompt, model, shape, quality, count and an uploaded reference beside the image one.
    const prompt = `A heron at dawn, ink and wash (${label})`;
    await page.getByLabel("Describe your image").fill(prompt);
    await page.getByLabel("Model", { exact: true }).selectOption("nano-banana-2");
    await page.getByLabel("Shape", { exact: true }).selectOption("16:9");
    await page.getByLabel("Quality", { exact: true }).selectOption("2K");
    await page.getByLabel("Images", { exact: true }).selectOption("2");
    // A file that is not an image: the error is said in the chip row, by the prompt.
    const notImage = `${fs.mkdtempSync("/tmp/gptimg-draft-")}/notes.png`;
    fs.writeFileSync(notImage, "just some words, not a picture");
    await page.locator("#reference-input").setInputFiles([notImage]);
    const refused = page.locator("#reference-message", { hasText: /^notes\.png: .+ Choose another file to try again\.$/ });
    await refused.waitFor();
    assert.equal(await refused.getAttribute("role"), "status");
    await expectInPromptArea(page, refused, width);
    // While a file goes up its chip shows the progress, in the prompt box (the upload is held until it was seen).
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route("**/api/uploads", async (route) => { await held; await route.continue(); });
    await page.locator("#reference-input").setInputFiles([referenceFile()]);
    const pending = page.locator("#prompt-box #references li.chip-pending [role=progressbar]");
    await pending.waitFor();
    await page.locator("#reference-message", { hasText: "Uploading sketch.png…" }).waitFor();
    await expectInPromptArea(page, page.locator("#references li.chip-pending"), width);
    release();
    await waitForChips(page, 2);
    await page.unroute("**/api/uploads");
    await page.locator("#reference-message", { hasText: "Added sketch.png." }).waitFor();
    assert.equal(await page.locator("#cost-total").textContent(), "6 credits · 2 × 3");
    assert.equal(await page.locator("#cost .cost-balance").textContent(), "You have 6 credits");

    // The chips sit in the prompt box, right under the text, and (phone) above the fixed Generate bar.
    await page.evaluate(() => window.scrollTo(0, 0));
    const textarea = await page.locator("#prompt").boundingBox();
    const box = await page.locator("#prompt-box").boundingBox();
    const bar = await page.locator(".generate-bar").boundingBox();
    for (const chip of await page.locator("#references li").all()) {
      const rect = await chip.boundingBox();
      assert.ok(rect.width >= 24 && rect.height >= 24);
      assert.ok(rect.y >= textarea.y + textarea.height - 1 && rect.y - (textarea.y + textarea.height) < 24, "right under the prompt");
      assert.ok(rect.x >= box.x && rect.x + rect.width <= box.x + box.width + 8 && rect.y + rect.height <= box.y + box.height, "inside the prompt box");
      if (width < 1024) assert.ok(rect.y + rect.height <= bar.y, `above the fixed Generate bar (${rect.y + rect.height} ≤ ${bar.y})`);
    }
    for (const target of await page.locator("#references button").all()) {
      const rect = await target.boundingBox();
      assert.ok(rect.width >= 24 && rect.height >= 24, `buttons are at least 24 × 24 px (${rect.width} × ${rect.height})`);
    }
    if (width < 1024) assert.ok((await page.locator("#reference-message").boundingBox()).y + 20 <= bar.y, "the upload's message is above the bar");
    await expectNoAxeViolations(page, "chips");
    await screenshot(page, `studio-chips-${label}`);
    const kept = await formNow(page);
    assert.deepEqual({ ...kept, chips: kept.chips.length }, { prompt, model: "nano-banana-2", aspect: "16:9", quality: "2K", count: "2", chips: 2 });

    // Reload: all of it is back.
    await page.reload();
    await waitForChips(page, 2);
    t.diagnostic(`${label}: draft restored ${Math.round(await page.evaluate(() => performance.now()))} ms after the reload began; `
      + `kept ${await page.evaluate(() => Object.entries(sessionStorage).find(([k]) => k.startsWith("gptimg.draft."))[1].length)} characters`);
    assert.deepEqual(await formNow(page), kept);
    assert.equal(await page.locator("#cost-total").textContent(), "6 credits · 2 × 3");
    await screenshot(page, `studio-draft-restored-${label}`);

    // The session ends (signed out elsewhere, or expired): signing in again in this tab brings the draft back.
    await context.clearCookies();
    await page.reload();
    await page.getByLabel("Name").fill(`Draft ${label}`);
    await page.getByLabel("Email").fill(`draft-${label}@gptimg.test`);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${url}/app`);
    await waitForChips(page, 2);
    assert.deepEqual(await formNow(page), kept);

    // The image used as a reference is deleted meanwhile: the next load leaves it out, saying nothing alarming.
    const [source] = (await (await page.request.get(`${url}/api/generations?limit=1`)).json()).generations;
    assert.equal(await page.evaluate((id) => fetch(`/api/generations/${id}`, { method: "DELETE" }).then((r) => r.status), source.id), 204);
    await page.reload();
    await waitForChips(page, 1);
    assert.deepEqual(await formNow(page), { ...kept, chips: ["Reference 1: sketch.png"] });
    assert.deepEqual(await page.locator("#generator-message, #reference-message").allTextContents(), ["", ""], "nothing alarming is said");
    const withoutDeleted = await formNow(page);

    // Out of credits: 4 × 3 = 12 against 6. Buy → Checkout → Cancel, then again → Pay: the draft is there each time.
    await page.getByLabel("Images", { exact: true }).selectOption("4");
    const draft = { ...withoutDeleted, count: "4" };
    const buy = page.locator("#cost").getByRole("link", { name: "Buy credits" });
    await buy.click();
    await page.locator(".plan", { hasText: "100 credits" }).first().getByRole("button", { name: "Buy" }).click();
    await page.getByRole("heading", { name: "Pay GPTImg" }).waitFor();
    await page.getByRole("link", { name: "Cancel and return" }).click();
    await page.waitForURL((u) => u.pathname === "/app");
    await page.locator("#checkout-note", { hasText: "Checkout cancelled — nothing was charged." }).waitFor();
    await waitForChips(page, 1);
    assert.deepEqual(await formNow(page), draft);

    await buy.click();
    await page.locator(".plan", { hasText: "100 credits" }).first().getByRole("button", { name: "Buy" }).click();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL((u) => u.pathname === "/app");
    // The webhook landed before the page did: it says so at once, not "will update".
    const confirmed = page.locator("#checkout-note", { hasText: "Payment confirmed — you now have 106 credits." });
    await confirmed.waitFor({ timeout: 3000 });
    await expectInPromptArea(page, confirmed, width);
    await waitForChips(page, 1);
    assert.deepEqual(await formNow(page), draft);
    assert.equal(await page.locator("#cost .cost-balance").textContent(), "You have 106 credits");
    await expectNoAxeViolations(page, "back from checkout");
    await screenshot(page, `studio-draft-after-payment-${label}`);

    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, "fits the width");
    // The two expected: the refused file (415) and the deleted reference's check (404).
    assert.deepEqual(pageProblems(problems).filter((p) => !/status of (404|415)/.test(p)), []);
    await context.close();
  });
}

for (const [label, width, height] of VIEWPORTS) {
  test(`signed out at ${label} width: a plan's Buy on the landing page goes through sign-in straight into its Checkout`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const url = live.worker.url;
    const [planId, planName, action] = label === "phone" ? ["pro_monthly", "Pro monthly", "Subscribe"] : ["pack_100", "100 credits", "Buy"];
    await page.goto(`${url}/`);
    await page.locator("#pricing").getByRole("link", { name: `${action} — ${planName}` }).click();
    await page.getByLabel("Name").fill(`Landing ${label}`);
    await page.getByLabel("Email").fill(`landing-${label}@gptimg.test`);
    // The first try fails at Stripe (held until the "Opening" note has been seen): the note, then the error.
    live.worker.fakes.stripe.state.failNext = "error500";
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route("**/api/billing/checkout", async (route) => { await held; await route.continue(); });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL((u) => u.pathname === "/account");
    await acceptTermsInDialog(page);
    await page.locator("#checkout-message", { hasText: `Opening checkout for ${planName}…` }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("plan"), null, "the plan is off the address, so Back does not reopen it");
    await expectNoAxeViolations(page, "opening checkout");
    release();
    const failed = page.locator("#checkout-message", { hasText: `Could not open checkout for ${planName}:` });
    await failed.waitFor();
    const failedBox = await failed.boundingBox();
    assert.ok(failedBox.y >= 0 && failedBox.y + failedBox.height <= height, "the failure is on screen, where the note was");
    await expectNoAxeViolations(page, "checkout failed");
    await screenshot(page, `landing-buy-checkout-failed-${label}`);
    await page.unroute("**/api/billing/checkout");

    // Pressing the plan's button again opens that plan's Checkout; paying brings the buyer to the studio.
    await page.locator(".plan", { hasText: planName }).getByRole("button", { name: action }).click();
    await page.getByRole("heading", { name: "Pay GPTImg" }).waitFor();
    await page.getByText(planName).first().waitFor();
    const sessions = [...live.worker.fakes.stripe.state.sessions.values()];
    const session = sessions.at(-1);
    assert.equal(session.metadata.plan_id, planId);
    assert.match(session.success_url, /\/app\?checkout=success/);
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL((u) => u.pathname === "/app");
    await page.locator("#checkout-note", { hasText: "Payment confirmed — you now have" }).waitFor({ timeout: 5000 });
    assert.deepEqual(pageProblems(problems).filter((p) => !/status of 502/.test(p)), []);
    await context.close();
  });

  test(`signed out at ${label} width: a landing Buy lands in Checkout at once`, async () => {
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    const url = live.worker.url;
    await page.goto(`${url}/`);
    await page.locator("#pricing").getByRole("link", { name: "Buy — 500 credits" }).click();
    await page.getByLabel("Name").fill(`Straight ${label}`);
    await page.getByLabel("Email").fill(`straight-${label}@gptimg.test`);
    await page.getByRole("button", { name: "Continue" }).click();
    await acceptTermsInDialog(page);
    await page.getByRole("heading", { name: "Pay GPTImg" }).waitFor();
    assert.equal([...live.worker.fakes.stripe.state.sessions.values()].at(-1).metadata.plan_id, "pack_500");
    await screenshot(page, `landing-buy-lands-in-checkout-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

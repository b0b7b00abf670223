// Browser: the gallery at 390 and 1440 px — empty state, search (debounced, kept in the URL), model filter,
// favourite stars and the favourites filter, "nothing matches" with Clear filters, select several and delete,
// draggable tiles, and an older listing's late answer never replacing a newer filter's. Screenshots of each state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, VIEWPORTS } from "../support/browser.mjs";
import { newPerson } from "../support/people.mjs";
import { generate, settled } from "../support/generation-flow.mjs";

const live = useWorkerAndBrowser({ before, after }, { apipodImages: "small" });

const PICTURES = [
  ["A red fox in the snow", "seedream-v4.5"],
  ["A red barn at dawn", "nano-banana-2"],
  ["A blue whale", "nano-banana-2"],
  ["A green forest", "nano-banana-pro"],
];

async function fill(person) {
  const ids = {};
  for (const [prompt, model] of PICTURES) {
    const { response, body } = await generate(live.worker, person.session, { prompt, model, aspect_ratio: "1:1" });
    assert.equal(response.status, 202, JSON.stringify(body));
    ids[prompt] = (body.generations?.[0] ?? body).id;
  }
  for (const id of Object.values(ids)) assert.equal((await settled(live.worker, person.session, id)).status, "succeeded");
  return ids;
}

const captions = (page) => page.locator("#gallery .tile-caption").allTextContents();
async function showing(page, expected) {
  await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll("#gallery .tile-caption")].map((c) => c.textContent)) === JSON.stringify(want), expected, { timeout: 10_000 })
    .catch(async () => assert.deepEqual(await captions(page), expected));
}
const NEWEST_FIRST = PICTURES.map(([prompt]) => prompt).reverse();

for (const [label, width, height] of VIEWPORTS) {
  test(`search, filter, favourite and delete several at ${label} width`, async () => {
    const person = await newPerson(live.worker, { label: `gallery-${label}`, pack: true });
    const { page, problems, context } = await watchedPage(live.browser, { width, height });
    await context.addCookies([{ name: "gptimg_session", value: person.session, url: live.worker.url, httpOnly: true, sameSite: "Lax" }]);
    const nativeDialogs = [];
    page.on("dialog", (dialog) => { nativeDialogs.push(dialog.message()); dialog.dismiss(); });
    const url = live.worker.url;

    // A first visit: the empty state with its hint, not the no-match one.
    await page.goto(`${url}/app`);
    await page.locator("#gallery-empty").waitFor();
    assert.match(await page.locator("#gallery-empty").textContent(), /No images yet.*press Generate/s);
    assert.equal(await page.locator("#gallery-no-match").isVisible(), false);
    await screenshot(page, `gallery-empty-${label}`);

    const ids = await fill(person);
    await page.reload();
    await showing(page, NEWEST_FIRST);
    assert.equal(await page.locator("#gallery-empty").isVisible(), false);
    await screenshot(page, `gallery-all-${label}`);

    // Tiles carry what the studio's drop zone reads.
    const dragged = await page.locator("#gallery li").first().locator(".tile").evaluate((tile) => {
      const data = new DataTransfer();
      tile.dispatchEvent(new DragEvent("dragstart", { dataTransfer: data, bubbles: true }));
      return { draggable: tile.getAttribute("draggable"), payload: JSON.parse(data.getData("application/x-gptimg-image")) };
    });
    assert.equal(dragged.draggable, "true");
    assert.equal(dragged.payload.generation_id, ids["A green forest"]);
    assert.match(dragged.payload.id, /^img_/);
    assert.match(dragged.payload.url, /^\/images\/img_\w+\?size=preview/);

    // Search: debounced, case-insensitive, kept in the URL across a reload.
    await page.getByLabel("Search prompts").fill("RED");
    await showing(page, ["A red barn at dawn", "A red fox in the snow"]);
    assert.equal(new URL(page.url()).searchParams.get("q"), "RED");
    await page.reload();
    await showing(page, ["A red barn at dawn", "A red fox in the snow"]);
    assert.equal(await page.getByLabel("Search prompts").inputValue(), "RED");
    await screenshot(page, `gallery-search-${label}`);

    // Model filter, with the search and without.
    await page.getByLabel("Filter by model").selectOption("nano-banana-2");
    await showing(page, ["A red barn at dawn"]);
    await page.getByLabel("Search prompts").fill("");
    await showing(page, ["A blue whale", "A red barn at dawn"]);
    assert.equal(new URL(page.url()).searchParams.get("model"), "nano-banana-2");
    await screenshot(page, `gallery-model-${label}`);

    // Favourite a tile: the star says so (aria-pressed), the API agrees, the favourites filter shows it alone.
    const star = page.getByRole("button", { name: "Favourite “A blue whale”" });
    assert.equal(await star.getAttribute("aria-pressed"), "false");
    await star.click();
    await page.locator(`#gallery li[data-id="${ids["A blue whale"]}"] .tile-star[aria-pressed="true"]`).waitFor();
    const whale = await (await page.request.get(`${url}/api/generations/${ids["A blue whale"]}`)).json();
    assert.equal(whale.favourite, true);
    await page.getByLabel("Filter by model").selectOption("");
    await page.getByRole("button", { name: "★ Favourites" }).click();
    await showing(page, ["A blue whale"]);
    assert.equal(await page.getByRole("button", { name: "★ Favourites" }).getAttribute("aria-pressed"), "true");
    await screenshot(page, `gallery-favourites-${label}`);

    // Nothing matches: its own state, and Clear filters brings everything back.
    await page.getByLabel("Search prompts").fill("zebra");
    await page.locator("#gallery-no-match").waitFor();
    assert.equal(await page.locator("#gallery-empty").isVisible(), false);
    await screenshot(page, `gallery-no-match-${label}`);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await showing(page, NEWEST_FIRST);
    assert.equal(await page.getByLabel("Search prompts").inputValue(), "");
    assert.equal(await page.getByRole("button", { name: "★ Favourites" }).getAttribute("aria-pressed"), "false");
    assert.equal(new URL(page.url()).search, "");

    // An older listing's late answer is dropped: "blue" answers after "red" was asked for.
    await page.route("**/api/generations?*q=blue*", async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue(); });
    const slow = page.waitForRequest((request) => request.url().includes("q=blue"));
    await page.getByLabel("Search prompts").fill("blue");
    await slow;
    await page.getByLabel("Search prompts").fill("red");
    await showing(page, ["A red barn at dawn", "A red fox in the snow"]);
    await page.waitForTimeout(1800);
    assert.deepEqual(await captions(page), ["A red barn at dawn", "A red fox in the snow"]);
    await page.unroute("**/api/generations?*q=blue*");
    await page.getByLabel("Search prompts").fill("");
    await showing(page, NEWEST_FIRST);

    // Select two (by checkbox and by tile) and delete them after the app's own confirmation.
    await page.getByRole("button", { name: "Select", exact: true }).click();
    await page.getByRole("checkbox", { name: "Select “A red fox in the snow”" }).check();
    await page.getByRole("button", { name: "Open “A green forest”" }).click();
    const deleteButton = page.getByRole("button", { name: "Delete selected (2)" });
    await deleteButton.waitFor();
    assert.equal(await page.locator("dialog#detail[open]").count(), 0, "in select mode a tile selects instead of opening");
    await screenshot(page, `gallery-selected-${label}`);
    await deleteButton.click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Delete 2 images" }).click();
    await showing(page, ["A blue whale", "A red barn at dawn"]);
    await page.locator("#toast", { hasText: "Deleted 2." }).waitFor();
    const left = await (await page.request.get(`${url}/api/generations`)).json();
    assert.deepEqual(left.generations.map((g) => g.prompt), ["A blue whale", "A red barn at dawn"]);
    await screenshot(page, `gallery-after-delete-${label}`);

    assert.deepEqual(nativeDialogs, [], "the app's own dialog, not the browser's");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

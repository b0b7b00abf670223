// Browser: an uploaded reference image can be deleted from storage from its chip in the studio (after the app's
// own confirmation dialog, where Cancel keeps it), which removes its row and its object; "Remove" only takes it out
// of the next request.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { useWorkerAndBrowser, watchedPage, signInAs } from "../support/browser.mjs";
import { encodePng } from "../support/fakes/png.mjs";

const live = useWorkerAndBrowser({ before, after });

test("the Delete button of an uploaded reference deletes it for good, after a confirmation", async () => {
  const { page, problems, context } = await watchedPage(live.browser);
  const url = live.worker.url;
  const email = "deleting-references@gptimg.test";
  await signInAs(page, url, { name: "Reference Deleter", email, returnTo: "/app" });
  const file = `${fs.mkdtempSync("/tmp/gptimg-refs-")}/reference-1.png`;
  fs.writeFileSync(file, encodePng(40, 40, (x, y) => [x * 6, y * 6, 120]));
  await page.locator("#cost-total").waitFor(); // the models are in, so the form is wired
  await page.locator("#reference-input").setInputFiles([file]);
  await page.locator("#references li").waitFor();
  const accountId = await live.worker.db.prepare("SELECT id FROM accounts WHERE email = ?").bind(email).first("id");
  assert.equal((await live.worker.db.prepare("SELECT COUNT(*) AS n FROM uploads WHERE account_id = ?").bind(accountId).first("n")), 1);

  const deleteButton = page.getByRole("button", { name: "Delete reference-1.png from your uploads" });
  await deleteButton.click();
  const dialog = page.getByRole("dialog", { name: "Delete reference-1.png?" });
  assert.match(await dialog.textContent(), /Delete reference-1\.png from your stored uploads for good\?/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  assert.equal(await page.locator("#references li").count(), 1, "Cancel keeps it");
  await deleteButton.click();
  await dialog.getByRole("button", { name: "Delete upload" }).click();
  await page.locator("#reference-message", { hasText: "Deleted reference-1.png." }).waitFor();
  assert.equal(await page.locator("#references li").count(), 0);
  assert.equal((await live.worker.db.prepare("SELECT COUNT(*) AS n FROM uploads WHERE account_id = ?").bind(accountId).first("n")), 0);
  assert.deepEqual((await live.worker.bucket.list({ prefix: `uploads/${accountId}/` })).objects, []);
  assert.deepEqual(problems, []);
  await context.close();
});

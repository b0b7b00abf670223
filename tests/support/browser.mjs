// Launches Debian's Chromium through playwright-core and records console errors and failed requests per page.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startWorker } from "./worker.mjs";

export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A new page whose console errors, page errors and failed requests are collected in `problems`. */
export async function watchedPage(browser, { width = 1440, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`requestfailed: ${request.url()} ${request.failure()?.errorText}`));
  return { page, problems, context };
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export const VIEWPORTS = [["desktop", 1440, 900], ["phone", 390, 844]];

/** Registers before/after hooks that start a Worker and a browser for the file; returns a live handle. */
export function useWorkerAndBrowser(hooks, workerOptions = {}) {
  const handle = { worker: null, browser: null };
  hooks.before(async () => {
    handle.worker = await startWorker(workerOptions);
    handle.browser = await launchBrowser();
  });
  hooks.after(async () => {
    await handle.browser?.close();
    await handle.worker?.stop();
  });
  return handle;
}

/** The first-sign-in dialog, if this account still needs it: both boxes, then Continue. */
export async function acceptTermsInDialog(page, screenshotName) {
  await page.waitForFunction(() => document.querySelector("dialog.consent[open]") || document.querySelector("#credit-balance"));
  const dialog = page.getByRole("dialog");
  if (!(await dialog.isVisible())) return;
  if (screenshotName) await screenshot(page, screenshotName);
  await dialog.getByLabel(/I accept the/).check();
  await dialog.getByLabel(/I am old enough/).check();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.waitFor({ state: "detached" });
}

/** Signs in through the stand-in Google page as a fresh identity and accepts the terms. */
export async function signInAs(page, baseUrl, { name, email, returnTo = "/app", consentScreenshot } = {}) {
  await page.goto(`${baseUrl}/auth/google/start?return_to=${encodeURIComponent(returnTo)}`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(baseUrl + returnTo);
  await acceptTermsInDialog(page, consentScreenshot);
}

// Browser: a Stripe payment that could not be applied shows in the admin console with its facts and advice, and
// the admin dismisses it there (after which Stripe's retry is acknowledged).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorkerAndBrowser, watchedPage, screenshot, signInAs } from "../support/browser.mjs";

const live = useWorkerAndBrowser({ before, after });

test("the admin sees a payment for an unknown plan, with what to do, and dismisses it", async () => {
  const stripe = live.worker.fakes.stripe;
  const price = { ...stripe.prices.get("price_pro_monthly").price, id: "price_retired_plan" };
  const start = Math.floor(Date.now() / 1000);
  const sub = { id: "sub_test_retired", itemId: "si_test_retired", customer: "cus_test_retired", status: "active", price, metadata: { plan_id: "retired" },
    created: start, periodStart: start, periodEnd: start + 30 * 86400, cancelAtPeriodEnd: false, canceledAt: null, latestInvoice: null };
  const { invoice } = stripe.paidInvoice(sub, "subscription_cycle");
  const event = stripe.buildEvent("invoice.paid", invoice);
  assert.equal((await stripe.deliver(event))[0].status, 409);

  const { page, problems, context } = await watchedPage(live.browser);
  await signInAs(page, live.worker.url, { name: "Admin Person", email: "admin@gptimg.test", returnTo: "/app" });
  await page.goto(`${live.worker.url}/admin`);
  const card = page.locator("#problems article", { hasText: event.id });
  await card.waitFor();
  assert.match(await card.innerText(), /unknown plan — invoice\.paid/);
  assert.match(await card.innerText(), /price: price_retired_plan/);
  assert.match(await card.innerText(), /Add the price .* to PLANS/);
  await screenshot(page, "admin-billing-problem");

  await card.getByLabel(`Why dismiss ${event.id}`).fill("Refunded in Stripe: plan retired.");
  await card.getByRole("button", { name: "Dismiss" }).click();
  await page.locator("#admin-message", { hasText: "Dismissed" }).waitFor();
  await page.locator("#problems", { hasText: "Nothing needs attention." }).waitFor();
  await page.locator("#audit", { hasText: "billing_problem_dismissed" }).waitFor();
  assert.equal((await stripe.deliver(event))[0].status, 200, "Stripe's next retry is acknowledged");
  assert.deepEqual(problems, []);
  await context.close();
});

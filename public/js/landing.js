// Landing page: service status, live pricing from /api/plans, the featured shared images, and the sign-in call to
// action.
import { $, api, element, money, signInHref, startPage } from "./common.js";

async function showStatus() {
  const status = $("service-status");
  try {
    const health = await (await fetch("/healthz", { headers: { accept: "application/json" } })).json();
    status.textContent = health.ok ? "All systems working" : "Service is having trouble — please try again soon";
    status.classList.add(health.ok ? "ok" : "bad");
  } catch {
    status.textContent = "Cannot reach the service — check your connection";
    status.classList.add("bad");
  }
}

/** A plan's own checkout, opened by the account page on arrival; Stripe brings the buyer back to the studio. Signed
 * out, the same address is carried through Google sign-in (its `return_to`). */
function buyHref(plan, account) {
  const checkout = `/account?plan=${encodeURIComponent(plan.id)}&return_to=%2Fapp`;
  return account ? checkout : signInHref(checkout);
}

async function showPricing(account) {
  const list = $("pricing");
  try {
    const { plans } = await api.get("/api/plans");
    list.replaceChildren(...plans.map((plan) => element("article", { class: "plan" },
      element("h3", {}, plan.name),
      element("p", { class: "price" }, money(plan.price_cents, plan.currency), plan.interval ? element("span", { class: "muted" }, ` / ${plan.interval}`) : ""),
      element("p", { class: "muted" }, plan.kind === "subscription" ? `${plan.credits} credits every ${plan.interval}, cancel any time` : `${plan.credits} credits, never expire`),
      element("a", { class: "button", href: buyHref(plan, account) }, plan.kind === "subscription" ? "Subscribe" : "Buy",
        element("span", { class: "visually-hidden" }, ` — ${plan.name}`)))));
  } catch (error) {
    list.replaceChildren(element("p", { class: "bad" }, `Prices are unavailable right now: ${error.message}`));
  }
}

/** "Made with GPTImg": the shared images the operator features, each in its own shape (width and height set, so
 * nothing moves as they load) and linking to its share page; the drawings stay when none is featured. */
async function showFeatured() {
  const { images } = await api.get("/api/featured").catch(() => ({ images: [] }));
  if (!images?.length) return;
  const preview = (image) => Math.round(image.width * Math.min(1, 512 / Math.max(image.width, image.height)));
  $("examples").replaceChildren(...images.map((image) => element("figure", { class: "featured" },
    element("a", { href: image.share_page_url, class: "featured-link" },
      element("img", {
        src: image.preview_url, srcset: `${image.preview_url} ${preview(image)}w, ${image.url} ${image.width}w`,
        sizes: "(max-width: 40rem) 100vw, 30vw", width: image.width, height: image.height, loading: "lazy",
        alt: image.prompt ?? "An image made with GPTImg",
      })),
    image.prompt ? element("figcaption", {}, `“${image.prompt}”`) : null)));
  $("examples").classList.add("examples-featured");
  $("examples").dataset.count = String(Math.min(images.length, 3));
}

/** After `DELETE /api/me` the account page lands here and says what happened. */
function showDeletion() {
  const outcome = new URLSearchParams(location.search).get("deleted");
  if (!outcome) return;
  const text = outcome === "pending"
    ? "Your personal data is erased and you are signed out. Cancelling your subscription and removing your files is still under way; we finish it automatically."
    : "Your account and everything we held about it have been deleted.";
  document.querySelector(".hero").prepend(element("p", { class: "status ok", id: "deletion-notice", role: "status" }, text));
}

showDeletion();
showFeatured();
const account = await startPage();
for (const cta of document.querySelectorAll("[data-sign-in-cta]")) {
  cta.setAttribute("href", account ? "/app" : signInHref("/app"));
  cta.textContent = account ? "Open your studio" : "Sign in with Google to start";
}
showStatus();
showPricing(account);

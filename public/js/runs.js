// The live results grid: one tile per generation started on this page, newest first, each following its own
// progress (state, elapsed seconds) to its image or its failure, with one polite live region for all of them.
import { $, api, credits, element, refreshBalance, short } from "./common.js";
import { openDetail } from "./detail.js";
import { prependToGallery } from "./gallery.js";
import { downloadName, previewUrl, showMedium } from "./images.js";
import { addImageReference, makeDraggable } from "./references.js";
import { remix } from "./studio-form.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The page's one live region: state changes only (never the seconds), one sentence each. */
export function announce(text) {
  $("studio-status").textContent = text;
}

/** The actions of a finished image, shared by result tiles and the detail dialog. */
export function imageActions(generation, image, { afterAction } = {}) {
  return [
    element("a", { class: "button button-small", href: image.url, download: downloadName(generation, image) }, "Download"),
    element("button", { class: "button-quiet button-small", type: "button", onclick: () => openDetail(generation) }, "Details"),
    element("button", { class: "button-quiet button-small", type: "button", onclick: () => { afterAction?.(); remix(generation); } }, "Remix"),
    element("button", { class: "button-quiet button-small", type: "button", onclick: () => {
      afterAction?.();
      addImageReference({ id: image.id, url: previewUrl(image), name: `“${short(generation.prompt)}”` });
    } }, "Use as reference"),
  ];
}

function runTile(generation) {
  const frame = element("div", { class: "run-frame" },
    element("div", { class: "progress-bar", role: "progressbar", "aria-label": `Generating “${short(generation.prompt)}”` }, element("span")));
  const [w, h] = generation.aspect_ratio.split(":").map(Number);
  if (w > 0 && h > 0) frame.style.aspectRatio = `${w} / ${h}`;
  const parts = {
    frame,
    state: element("span", { class: "run-state" }, "Queued"),
    elapsed: element("span", { class: "run-elapsed", "aria-hidden": "true" }, "0 s"),
    caption: element("p", { class: "run-caption" }, generation.prompt),
    actions: element("div", { class: "run-actions row" }),
  };
  parts.node = element("li", { class: "run running", "data-id": generation.id },
    frame, element("p", { class: "run-status" }, parts.state, " ", parts.elapsed), parts.caption, parts.actions);
  return parts;
}

function showSucceeded(parts, generation) {
  const image = generation.images[0];
  parts.node.className = "run done";
  const img = element("img", { class: "run-image" });
  showMedium(img, image, generation.prompt);
  parts.frame.replaceChildren(img);
  parts.frame.style.aspectRatio = "";
  makeDraggable(parts.node, generation, image);
  parts.state.textContent = "Done";
  parts.elapsed.remove();
  parts.actions.replaceChildren(...imageActions(generation, image));
  announce(`Ready: “${short(generation.prompt)}”.`);
  prependToGallery(generation);
}

function showFailed(parts, generation) {
  parts.node.className = "run failed";
  parts.frame.replaceChildren(element("span", { class: "run-failed-mark", "aria-hidden": "true" }, "!"));
  parts.state.textContent = "Failed";
  parts.elapsed.remove();
  const said = generation.failure?.message ?? "The image service could not make this image.";
  const refund = said.includes("refunded") ? "" : ` Your ${credits(generation.cost)} were refunded.`;
  parts.actions.replaceChildren(
    element("p", { class: "bad run-failure" }, `${said}${refund} You can try again now.`),
    element("button", { class: "button-quiet button-small", type: "button", onclick: () => remix(generation) }, "Try again"));
  announce(`Failed: “${short(generation.prompt)}”. ${credits(generation.cost)} refunded; you can try again.`);
}

/** Follows one generation until it ends: every second at first, then every 2.5 s (most take longer than 10 s, and
 * several run at once); a network blip is retried, not fatal. */
async function follow(generation, parts) {
  const started = Date.now();
  const tick = setInterval(() => { parts.elapsed.textContent = `${Math.round((Date.now() - started) / 1000)} s`; }, 1000);
  let said = "queued";
  try {
    while (generation.in_progress) {
      const state = generation.status === "queued" ? "queued" : "generating";
      if (state !== said) {
        said = state;
        parts.state.textContent = "Generating";
        announce(`Generating “${short(generation.prompt)}”.`);
      }
      await sleep(Date.now() - started < 10_000 ? 1000 : 2500);
      try {
        generation = await api.get(`/api/generations/${generation.id}`);
        parts.node.classList.remove("offline");
      } catch (error) {
        if (error.status === 404) { parts.node.remove(); return; }
        parts.node.classList.add("offline");
      }
    }
  } finally {
    clearInterval(tick);
  }
  if (generation.status === "failed") {
    showFailed(parts, generation);
    await refreshBalance().catch(() => null); // the refund, as the server now counts it
  } else {
    showSucceeded(parts, generation);
  }
}

/** Puts the just-admitted generations at the top of the grid and follows each on its own. */
export function startRuns(generations) {
  $("first-hint").hidden = true;
  for (const generation of generations) {
    const parts = runTile(generation);
    $("results").prepend(parts.node);
    follow(generation, parts);
  }
  const first = generations[0];
  announce(generations.length > 1
    ? `Started ${generations.length} images of “${short(first.prompt)}”.`
    : `Started “${short(first.prompt)}”.`);
}

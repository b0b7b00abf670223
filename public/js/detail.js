// The full-screen viewer of one generation: the image as large as the screen allows, its prompt (with Copy prompt),
// recipe and references beside it (below on a phone), and the actions: download, remix, use as reference,
// favourite, copy link, delete. Previous/next through the gallery (or the results) by buttons, ←/→ and swipes;
// Escape closes and the focus goes back to the tile that opened it.
import { $, api, element, say, short } from "./common.js";
import { confirmAction } from "./confirm-dialog.js";
import { copyText, flash } from "./clipboard.js";
import { showOutcome, showRecipe, showReferences } from "./detail-facts.js";
import { renderShare, share, showsPrompt } from "./detail-share.js";
import { removeFromGallery, updateInGallery } from "./gallery.js";
import { downloadName, mediumUrl, previewUrl, showMedium } from "./images.js";
import { addImageReference } from "./references.js";
import { remix } from "./studio-form.js";
import { afterRemoval, neighbours, orderFor, remember, stepFrom } from "./viewer-order.js";

const SWIPE_MIN_PX = 50;
const viewer = { generation: null, order: null, opener: null, moving: false };

function showImage(generation) {
  const img = $("detail-image");
  const image = generation.images[0];
  img.hidden = !image;
  $("detail-placeholder").hidden = Boolean(image);
  if (!image) {
    img.removeAttribute("src");
    $("detail-placeholder").textContent = generation.in_progress ? "Still generating…" : "No image was made.";
    return;
  }
  // The box has the image's own ratio before a byte arrives; the tile's preview (already loaded) fills it meanwhile.
  img.style.setProperty("--ratio", String(image.width / image.height));
  img.style.backgroundImage = `url("${previewUrl(image)}")`;
  showMedium(img, image, generation.prompt);
}

/** A new state of the generation shown (favourite, shared): everywhere the page shows it. */
function changed(updated) {
  remember(viewer.order, updated);
  updateInGallery(updated);
  if (viewer.generation?.id === updated.id) show(updated);
}

async function toggleFavourite(generation) {
  const on = !generation.favourite;
  try {
    const updated = await api.request(`/api/generations/${generation.id}/favourite`, { method: on ? "PUT" : "DELETE" });
    changed(updated);
    $("detail-favourite")?.focus();
    flash($("detail-action-status"), on ? "Added to favourites" : "Removed from favourites");
  } catch (error) {
    flash($("detail-action-status"), error.message, "bad");
  }
}

async function copyLink() {
  const status = $("detail-action-status");
  let generation = viewer.generation;
  try {
    if (!generation.shared) {
      generation = await share(generation, showsPrompt());
      changed(generation);
    }
    const copied = await copyText(generation.share_page_url);
    flash(status, copied ? "Link copied" : "Could not copy: the link is under Sharing below.", copied ? "ok" : "bad");
    $("detail-copy-link")?.focus();
  } catch (error) {
    flash(status, `${error.message} Try again in a moment.`, "bad");
  }
}

async function deleteShown(generation) {
  const yes = await confirmAction({
    title: "Delete this image?",
    body: `“${short(generation.prompt, 80)}” leaves your gallery for good${generation.shared ? " and its share link stops working" : ""}. This cannot be undone.`,
    action: "Delete image",
  });
  if (!yes) return;
  try {
    await api.request(`/api/generations/${generation.id}`, { method: "DELETE" });
    removeFromGallery(generation.id);
    document.querySelector(`#results [data-id="${CSS.escape(generation.id)}"]`)?.remove();
    const next = await afterRemoval(viewer.order, generation.id);
    if (!next) { $("detail").close(); return; }
    show(next);
    flash($("detail-action-status"), "Image deleted");
    $("detail-next").disabled ? $("detail-close").focus() : $("detail-next").focus();
  } catch (error) {
    say($("detail-message"), `${error.message} Try again in a moment.`, "bad");
  }
}

function actionsFor(generation) {
  const image = generation.images[0];
  const button = (label, onclick, attributes = {}) => element("button", { class: "button-quiet", type: "button", onclick, ...attributes }, label);
  const close = () => $("detail").close();
  const actions = [];
  if (image) actions.push(element("a", { class: "button", href: image.url, download: downloadName(generation, image) }, "Download"));
  actions.push(button(generation.status === "failed" ? "Try again" : "Remix", () => { close(); remix(generation); }));
  if (image) {
    actions.push(button("Use as reference", () => {
      // Refused, the reason goes in the viewer: a toast would sit behind the modal viewer.
      const outcome = addImageReference({ id: image.id, url: previewUrl(image), name: `“${short(generation.prompt)}”` });
      if (outcome.added) close();
      else say($("detail-message"), outcome.text, "bad");
    }));
  }
  if (generation.status === "succeeded") {
    actions.push(button(generation.favourite ? "★ Favourite" : "☆ Favourite", () => toggleFavourite(viewer.generation),
      { id: "detail-favourite", "aria-pressed": String(Boolean(generation.favourite)) }));
    actions.push(button("Copy link", copyLink, { id: "detail-copy-link" }));
  }
  if (generation.status === "succeeded" || generation.status === "failed") {
    actions.push(element("button", { class: "button-danger", type: "button", onclick: () => deleteShown(viewer.generation) }, "Delete"));
  }
  $("detail-actions").replaceChildren(...actions);
}

function showPlace(generation) {
  const place = neighbours(viewer.order, generation.id);
  $("detail-prev").disabled = !place.hasPrevious;
  $("detail-next").disabled = !place.hasNext;
  $("detail-position").textContent = place.count > 1 ? `${place.index + 1} of ${place.count}` : "";
  // Read ahead: the next image's medium, so stepping to it shows it at once.
  const next = viewer.order.ids[place.index + 1];
  const held = next && viewer.order.known.get(next);
  if (held?.images[0]) new Image().src = mediumUrl(held.images[0]);
}

/** Re-rendering replaces the panel's controls: a focused one gives the focus to its successor (same id or label). */
function keepingFocus(render) {
  const dialog = $("detail");
  const focused = document.activeElement;
  const inside = dialog.open && focused !== dialog && dialog.contains(focused);
  const key = inside ? (focused.id || focused.textContent) : null;
  render();
  if (!inside || focused.isConnected) return;
  const again = [...dialog.querySelectorAll("a, button")].find((node) => (node.id || node.textContent) === key && node.offsetParent !== null && !node.disabled);
  (again ?? $("detail-close")).focus();
}

function show(generation) {
  keepingFocus(() => render(generation));
}

function render(generation) {
  remember(viewer.order, generation);
  say($("detail-message"), "");
  // Confirmations belong to the image they were about.
  if (viewer.generation?.id !== generation.id) for (const id of ["detail-prompt-copied", "detail-action-status"]) $(id).textContent = "";
  showImage(generation);
  $("detail-prompt").textContent = generation.prompt;
  showOutcome(generation);
  showRecipe(generation);
  showReferences(generation);
  renderShare(generation, changed);
  viewer.generation = generation;
  actionsFor(generation);
  showPlace(generation);
}

async function step(by) {
  if (viewer.moving || !viewer.generation) return;
  viewer.moving = true;
  try {
    const next = await stepFrom(viewer.order, viewer.generation.id, by);
    if (next && $("detail").open) show(next);
  } catch (error) {
    say($("detail-message"), `${error.message} Try again in a moment.`, "bad");
  } finally {
    viewer.moving = false;
  }
}

// Arrow keys move the caret or the choice in these, so they do not step there.
const typing = (target) => target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]");

/** Tab and Shift+Tab go round the viewer's own controls, never out to the page behind it. */
function keepFocusInside(event, dialog) {
  const focusable = [...dialog.querySelectorAll("a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex='-1'])")]
    .filter((node) => node.offsetParent !== null);
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
  else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
}

function wireSwipes(stage) {
  let start = null;
  stage.addEventListener("pointerdown", (event) => {
    if (!event.isPrimary || event.target.closest("button")) return;
    start = { x: event.clientX, y: event.clientY };
  });
  stage.addEventListener("pointercancel", () => { start = null; });
  stage.addEventListener("pointerup", (event) => {
    if (!start) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    start = null;
    if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > 1.5 * Math.abs(dy)) step(dx < 0 ? 1 : -1);
  });
}

let wired = false;
function wireOnce() {
  if (wired) return;
  wired = true;
  const dialog = $("detail");
  $("detail-prev").addEventListener("click", () => step(-1));
  $("detail-next").addEventListener("click", () => step(1));
  $("detail-close").addEventListener("click", () => dialog.close());
  $("detail-copy-prompt").addEventListener("click", async () => {
    const copied = await copyText(viewer.generation.prompt);
    flash($("detail-prompt-copied"), copied ? "Prompt copied" : "Could not copy: select the prompt and copy it.", copied ? "ok" : "bad");
  });
  // On the document, not the dialog: a control removed while focused leaves the focus on the body.
  document.addEventListener("keydown", (event) => {
    if (!dialog.open || document.querySelector("dialog.confirm-dialog[open]")) return;
    if (event.key === "Tab") keepFocusInside(event, dialog);
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key === "ArrowLeft") { event.preventDefault(); step(-1); }
    if (event.key === "ArrowRight") { event.preventDefault(); step(1); }
  });
  wireSwipes($("detail-stage"));
  dialog.addEventListener("close", () => {
    document.documentElement.classList.remove("viewer-open");
    // Back to the tile of the image last shown when the page has it, else to whatever opened the viewer.
    const shownTile = viewer.generation && document.querySelector(`#gallery [data-id="${CSS.escape(viewer.generation.id)}"] .tile`);
    const opener = viewer.opener?.isConnected ? viewer.opener : null;
    const back = opener?.closest("#gallery") ? (shownTile ?? opener) : (opener ?? shownTile);
    back?.focus();
    viewer.generation = null;
  });
}

/** Opens the viewer on `generation` (a gallery tile or a result); called again while open, shows that one. */
export async function openDetail(generation) {
  wireOnce();
  const dialog = $("detail");
  if (!dialog.open) {
    viewer.opener = document.activeElement;
    viewer.order = orderFor(generation, viewer.opener);
  }
  show(generation);
  if (!dialog.open) {
    document.documentElement.classList.add("viewer-open");
    dialog.showModal();
    $("detail-close").focus();
  }
}

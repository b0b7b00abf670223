// The gallery: the signed-in person's generations, newest first, paged by cursor as they scroll.
import { $, api, element } from "./common.js";
import { openDetail } from "./detail.js";
import { tileImage } from "./images.js";

let nextCursor = null;
let loading = false;
let exhausted = false;

function galleryItem(generation) {
  const image = generation.images[0];
  const label = generation.in_progress ? "In progress" : generation.status === "failed" ? "Failed" : "";
  return element("li", { "data-id": generation.id },
    element("button", { type: "button", class: "tile", "aria-label": `Open “${generation.prompt.slice(0, 60)}”`, onclick: () => openDetail(generation) },
      image ? tileImage(image, generation.prompt)
        : element("span", { class: "tile-placeholder" }, label),
      element("span", { class: "tile-caption" }, generation.prompt)));
}

export function prependToGallery(generation) {
  $("gallery").querySelector(`[data-id="${generation.id}"]`)?.remove();
  $("gallery").prepend(galleryItem(generation));
  $("gallery-status").textContent = "";
}

export async function loadMore() {
  if (loading || exhausted) return;
  loading = true;
  try {
    const page = await api.get(`/api/generations?limit=24${nextCursor ? `&cursor=${encodeURIComponent(nextCursor)}` : ""}`);
    $("gallery").append(...page.generations.map(galleryItem));
    nextCursor = page.next_cursor;
    exhausted = !nextCursor;
    if (!$("gallery").children.length) $("gallery-status").textContent = "Your images will appear here.";
  } catch (error) {
    $("gallery-status").textContent = error.message;
  } finally {
    loading = false;
  }
}

/** Takes a deleted generation off the gallery. */
export const removeFromGallery = (id) => $("gallery").querySelector(`[data-id="${id}"]`)?.remove();

/** Starts infinite scroll: the next page loads as the sentinel below the gallery nears the screen. */
export function startGallery() {
  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); }).observe($("gallery-sentinel"));
  loadMore();
}

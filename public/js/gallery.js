// The gallery: the signed-in person's generations, newest first, paged by cursor as they scroll; search, model and
// favourites filters (kept in the URL), a favourite star per tile, select mode (delete, favourite, unfavourite or
// download several; its bar stays in sight), draggable tiles, and the order the viewer steps through.
import { $, api, element, short } from "./common.js";
import { confirmAction } from "./confirm-dialog.js";
import { downloadName, tileImage } from "./images.js";
import { makeDraggable } from "./references.js";
import { toast } from "./toast.js";

const PAGE = 24;
const SEARCH_DELAY_MS = 300;
// Browsers take several downloads from one click only when they are spaced out a little.
const DOWNLOAD_GAP_MS = 250;

const filter = { q: "", model: "", favourites: false };
// Each filter change starts a new listing; a response for an older one is dropped, never shown.
let listing = 0;
let nextCursor = null;
let loadingFor = -1;
let exhausted = false;
let selecting = false;
const selected = new Set();
// The generations the tiles show, by id: what the viewer steps through and what bulk actions act on.
const shown = new Map();
// What a tile's click opens (startGallery's `open`).
let openTile;

const filtering = () => Boolean(filter.q.trim() || filter.model || filter.favourites);

/** Whether a generation belongs in the gallery as it is filtered now (as the API would decide). */
function matches(generation) {
  if (filter.favourites && !generation.favourite) return false;
  if (filter.model && generation.model !== filter.model) return false;
  const needle = filter.q.trim().toLowerCase();
  return !needle || generation.prompt.toLowerCase().includes(needle);
}

function query(cursor) {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (filter.q.trim()) params.set("q", filter.q.trim());
  if (filter.model) params.set("model", filter.model);
  if (filter.favourites) params.set("favourites", "1");
  if (cursor) params.set("cursor", cursor);
  return `/api/generations?${params}`;
}


function star(generation) {
  return element("button", {
    type: "button", class: "tile-star", "aria-pressed": String(Boolean(generation.favourite)),
    "aria-label": `Favourite “${short(generation.prompt, 60)}”`, title: generation.favourite ? "Remove from favourites" : "Add to favourites",
    onclick: () => toggleFavourite(generation),
  }, generation.favourite ? "★" : "☆");
}

function galleryItem(generation) {
  shown.set(generation.id, generation);
  const image = generation.images[0];
  const label = generation.in_progress ? "In progress" : generation.status === "failed" ? "Failed" : "";
  const picture = image ? tileImage(image, generation.prompt) : element("span", { class: "tile-placeholder" }, label);
  if (image) picture.draggable = false; // the tile is dragged, not the bare <img> with the browser's own data
  const tile = element("button", {
    type: "button", class: "tile", "aria-label": `Open ${label ? `${label} ` : ""}“${short(generation.prompt, 60)}”`, // the state shown, as seen
    onclick: () => (selecting ? toggleSelected(generation.id) : openTile(generation)),
  }, picture, " ", element("span", { class: "tile-caption" }, generation.prompt));
  if (image) makeDraggable(tile, generation, image);
  const check = element("input", {
    type: "checkbox", class: "tile-check", "aria-label": `Select “${short(generation.prompt, 60)}”`,
    checked: selected.has(generation.id), hidden: !selecting, onchange: () => toggleSelected(generation.id),
  });
  return element("li", { "data-id": generation.id, class: selected.has(generation.id) ? "is-selected" : undefined }, tile, star(generation), check);
}

const tileOf = (id) => $("gallery").querySelector(`[data-id="${CSS.escape(id)}"]`);

function showEmptyState() {
  const empty = !$("gallery").children.length && exhausted;
  $("gallery-empty").hidden = !empty || filtering();
  $("gallery-no-match").hidden = !empty || !filtering();
}

const setFavourite = (id, on) => api.request(`/api/generations/${id}/favourite`, { method: on ? "PUT" : "DELETE" });

async function toggleFavourite(generation) {
  const on = !generation.favourite;
  try {
    const updated = await setFavourite(generation.id, on);
    updateInGallery(updated);
    tileOf(updated.id)?.querySelector(".tile-star")?.focus();
    $("gallery-status").textContent = on ? "Added to favourites." : "Removed from favourites.";
  } catch (error) {
    $("gallery-status").textContent = error.message;
  }
}

function toggleSelected(id) {
  if (selected.has(id)) selected.delete(id);
  else selected.add(id);
  const item = tileOf(id);
  item?.classList.toggle("is-selected", selected.has(id));
  const check = item?.querySelector(".tile-check");
  if (check) check.checked = selected.has(id);
  showSelection();
}

const images = (n) => `${n} image${n === 1 ? "" : "s"}`;

function showSelection() {
  $("gallery-selection").hidden = !selecting;
  $("gallery-select").setAttribute("aria-pressed", String(selecting));
  $("gallery-select").textContent = selecting ? "Done selecting" : "Select";
  $("gallery-selected-count").textContent = `${selected.size} selected`;
  $("gallery-delete").textContent = `Delete selected (${selected.size})`;
  for (const id of ["gallery-delete", "gallery-favourite-selected", "gallery-unfavourite-selected", "gallery-download-selected"]) $(id).disabled = selected.size === 0;
  $("gallery-select-all").disabled = shown.size === 0 || selected.size === $("gallery").children.length;
  for (const check of $("gallery").querySelectorAll(".tile-check")) check.hidden = !selecting;
}

function selectAllLoaded() {
  for (const item of $("gallery").children) {
    selected.add(item.dataset.id);
    item.classList.add("is-selected");
    const check = item.querySelector(".tile-check");
    if (check) check.checked = true;
  }
  showSelection();
}

/** Favourites (or unfavourites) every selected image that is not so already, a few requests at a time. */
async function favouriteSelected(on) {
  const ids = [...selected].filter((id) => Boolean(shown.get(id)?.favourite) !== on);
  const buttons = ["gallery-favourite-selected", "gallery-unfavourite-selected"].map($);
  for (const button of buttons) button.disabled = true;
  let done = 0;
  let failed = 0;
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      try {
        updateInGallery(await setFavourite(id, on));
        done += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const failure = failed ? ` ${failed} could not be changed: try again in a moment.` : "";
  if (!ids.length) toast(on ? `All ${images(selected.size)} already are favourites.` : `None of the ${images(selected.size)} is a favourite.`);
  else toast(`${on ? `Added ${images(done)} to favourites.` : `Removed ${images(done)} from favourites.`}${failure}`, failed ? "bad" : "ok");
  showSelection();
}

/** Each selected image as its own file (a ZIP of them is for later). */
async function downloadSelected() {
  const files = [...selected].map((id) => shown.get(id)).filter((g) => g?.images[0]);
  for (const [index, generation] of files.entries()) {
    if (index) await new Promise((resolve) => setTimeout(resolve, DOWNLOAD_GAP_MS));
    const image = generation.images[0];
    element("a", { href: image.url, download: downloadName(generation, image) }).click();
  }
  const skipped = selected.size - files.length;
  toast(`Downloading ${images(files.length)}.${skipped ? ` ${skipped} without an image skipped.` : ""}`);
}

function setSelecting(on) {
  selecting = on;
  if (!on) {
    selected.clear();
    for (const item of $("gallery").querySelectorAll(".is-selected")) item.classList.remove("is-selected");
    for (const check of $("gallery").querySelectorAll(".tile-check")) check.checked = false;
  }
  showSelection();
}

async function deleteSelected() {
  const ids = [...selected];
  if (!ids.length) return;
  const yes = await confirmAction({
    title: `Delete ${images(ids.length)}?`,
    body: `${ids.length === 1 ? "It leaves" : `All ${ids.length} leave`} your gallery for good, and any share links stop working. This cannot be undone.`,
    action: `Delete ${images(ids.length)}`,
  });
  if (!yes) return;
  $("gallery-delete").disabled = true;
  try {
    const { deleted, kept } = await api.post("/api/generations/delete", { ids });
    for (const id of deleted) removeFromGallery(id);
    const running = kept.filter((k) => k.code === "generation_in_progress").length;
    const gone = kept.length - running;
    toast([
      `Deleted ${deleted.length}.`,
      running ? `${running} still generating: delete ${running === 1 ? "it" : "them"} once finished.` : "",
      gone ? `${gone} no longer existed.` : "",
    ].filter(Boolean).join(" "));
    setSelecting(false);
  } catch (error) {
    toast(error.message, "bad");
    showSelection();
  }
}

export function prependToGallery(generation) {
  const existing = tileOf(generation.id);
  if (!matches(generation)) existing?.remove();
  else if (existing) existing.replaceWith(galleryItem(generation));
  else $("gallery").prepend(galleryItem(generation));
  $("gallery-status").textContent = "";
  showEmptyState();
}

export async function loadMore() {
  const mine = listing;
  if (loadingFor === mine || exhausted) return;
  loadingFor = mine;
  try {
    const page = await api.get(query(nextCursor));
    if (mine !== listing) return;
    const fresh = page.generations.filter((g) => !tileOf(g.id));
    $("gallery").append(...fresh.map(galleryItem));
    nextCursor = page.next_cursor;
    exhausted = !nextCursor;
    $("gallery-status").textContent = "";
  } catch (error) {
    if (mine === listing) $("gallery-status").textContent = error.message;
    return;
  } finally {
    if (loadingFor === mine) loadingFor = -1;
  }
  showEmptyState();
  // The observer only fires on a change: if the sentinel is still in sight, the screen is not full yet.
  if (!exhausted && $("gallery-sentinel").getBoundingClientRect().top < innerHeight + 200) loadMore();
}

/** Starts the listing over for the current filter, and keeps the filter in the URL so a reload shows the same. */
function restart() {
  listing += 1;
  nextCursor = null;
  exhausted = false;
  setSelecting(false);
  shown.clear();
  $("gallery").replaceChildren();
  $("gallery-empty").hidden = true;
  $("gallery-no-match").hidden = true;
  const url = new URL(location.href);
  for (const [name, value] of [["q", filter.q.trim()], ["model", filter.model], ["favourites", filter.favourites ? "1" : ""]]) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  history.replaceState(history.state, "", url);
  loadMore();
}

function showFilters() {
  $("gallery-search").value = filter.q;
  $("gallery-model").value = filter.model;
  $("gallery-favourites").setAttribute("aria-pressed", String(filter.favourites));
}

function clearFilters() {
  Object.assign(filter, { q: "", model: "", favourites: false });
  showFilters();
  restart();
  $("gallery-search").focus();
}

async function loadModelOptions() {
  try {
    const { models } = await api.get("/api/models");
    $("gallery-model").append(...models.map((m) => element("option", { value: m.id }, m.name)));
  } catch {
    // The filter then offers "All models" only; the listing itself does not depend on it.
  }
}

/** Takes a deleted generation off the gallery. */
export function removeFromGallery(id) {
  tileOf(id)?.remove();
  shown.delete(id);
  selected.delete(id);
  showSelection();
  showEmptyState();
}

/** Shows a generation's new state (favourite, shared) on its tile, or takes the tile off when the filter no
 * longer matches it. */
export function updateInGallery(generation) {
  const tile = tileOf(generation.id);
  if (!tile) return;
  if (!matches(generation)) { removeFromGallery(generation.id); return; }
  tile.replaceWith(galleryItem(generation));
}

/** The generations the gallery shows, in its order (newest first). */
export const galleryGenerations = () => [...$("gallery").children].map((item) => shown.get(item.dataset.id)).filter(Boolean);
export const galleryGeneration = (id) => (tileOf(id) ? shown.get(id) : undefined);
/** Whether scrolling on would load more (the viewer loads them when stepping past the last). */
export const galleryHasMore = () => !exhausted;

/** Tells the CSS how tall the studio's fixed Generate bar is (0 when it is not fixed), so the select bar sits above
 * it on a phone whatever the bar holds. */
function measureFixedBar() {
  const bar = document.querySelector(".generate-bar");
  if (!bar) return;
  const update = () => {
    const fixed = getComputedStyle(bar).position === "fixed";
    document.documentElement.style.setProperty("--fixed-bar-height", fixed ? `${bar.offsetHeight}px` : "0px");
  };
  new ResizeObserver(update).observe(bar);
  addEventListener("resize", update);
  update();
}

/** Reads the filter from the URL, wires the controls, and starts infinite scroll: the next page loads as the
 * sentinel below the gallery nears the screen. A tile opens with `open` (the viewer), passed in because the viewer
 * itself reads and updates the gallery. */
export async function startGallery({ open }) {
  openTile = open;
  const params = new URLSearchParams(location.search);
  filter.q = (params.get("q") ?? "").slice(0, 200);
  filter.favourites = params.get("favourites") === "1";
  await loadModelOptions();
  const model = params.get("model") ?? "";
  filter.model = [...$("gallery-model").options].some((o) => o.value === model) ? model : "";
  showFilters();
  let typing;
  $("gallery-search").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if ($("gallery-search").value === filter.q) return;
      filter.q = $("gallery-search").value;
      restart();
    }, SEARCH_DELAY_MS);
  });
  $("gallery-filters").addEventListener("submit", (event) => event.preventDefault());
  $("gallery-model").addEventListener("change", () => { filter.model = $("gallery-model").value; restart(); });
  $("gallery-favourites").addEventListener("click", () => { filter.favourites = !filter.favourites; showFilters(); restart(); });
  $("gallery-select").addEventListener("click", () => setSelecting(!selecting));
  $("gallery-delete").addEventListener("click", deleteSelected);
  $("gallery-select-all").addEventListener("click", selectAllLoaded);
  $("gallery-select-done").addEventListener("click", () => { setSelecting(false); $("gallery-select").focus(); });
  $("gallery-favourite-selected").addEventListener("click", () => favouriteSelected(true));
  $("gallery-unfavourite-selected").addEventListener("click", () => favouriteSelected(false));
  $("gallery-download-selected").addEventListener("click", downloadSelected);
  // Escape leaves select mode, unless it is closing a dialog above the gallery.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !selecting || document.querySelector("dialog[open]")) return;
    setSelecting(false);
    $("gallery-select").focus();
  });
  $("gallery-clear").addEventListener("click", clearFilters);
  measureFixedBar();
  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); }, { rootMargin: "200px" })
    .observe($("gallery-sentinel"));
  restart();
}

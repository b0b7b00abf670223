// The studio's Recent list: one card per request (job-card.js), newest first — the jobs started on this page and,
// after a reload, the account's latest ones — each generation followed to its image or its failure, the new job
// brought into view where the person is looking, and one polite live region for all of them.
import { $, api, refreshBalance, short } from "./common.js";
import { prependToGallery } from "./gallery.js";
import { jobCard } from "./job-card.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The page's one live region: state changes only (never the seconds), one sentence each. */
export function announce(text) {
  $("studio-status").textContent = text;
}

const cards = new Map(); // batch (or generation) id → card
const cardOfGeneration = new Map(); // generation id → card
const lastSaid = new WeakMap(); // card → what the live region last said about it

/** Announces a card's state if it changed since it was last said. */
function sayChange(card) {
  const text = card.spoken();
  if (text && text !== lastSaid.get(card)) {
    lastSaid.set(card, text);
    announce(text);
  }
}

/** One clock for every running cell: seconds since the generation was admitted (its `created_at`, not this page). */
function tickElapsed() {
  for (const node of document.querySelectorAll("#results .run-elapsed[data-since]")) {
    node.textContent = `${Math.max(0, Math.round((Date.now() - Number(node.dataset.since)) / 1000))} s`;
  }
}
let clock = null;
function startClock() {
  tickElapsed();
  clock ??= setInterval(tickElapsed, 1000);
}

/** Follows one generation until it ends: a first look soon after admission (it is usually with the provider by
 * then), every second while it is young, then every 2.5 s (most take longer than 10 s, and several run at once);
 * a network blip is retried and shown as reconnecting, a 404 drops it. */
async function follow(generation, card) {
  let first = true;
  while (generation.in_progress) {
    const age = Date.now() - generation.created_at;
    await sleep(first && age < 1000 ? 400 : age < 10_000 ? 1000 : 2500);
    first = false;
    try {
      generation = await api.get(`/api/generations/${generation.id}`);
      card.setOffline(generation.id, false);
    } catch (error) {
      if (error.status === 404) return forget(generation.id);
      card.setOffline(generation.id, true);
      continue;
    }
    if (!cardOfGeneration.has(generation.id)) return; // deleted meanwhile
    card.show(generation);
    sayChange(card);
  }
  if (generation.status === "failed") await refreshBalance().catch(() => null); // the refund, as the server counts it
  else prependToGallery(generation);
}

function forget(id) {
  const card = cardOfGeneration.get(id);
  if (!card) return;
  cardOfGeneration.delete(id);
  if (card.forget(id) === 0) {
    card.node.remove();
    cards.delete(card.key);
  }
}

/** Puts a card in the list at its place by age (newest first) and follows its running generations. */
function place(card, generations) {
  cards.set(card.key, card);
  for (const generation of generations) cardOfGeneration.set(generation.id, card);
  const list = $("results");
  const older = [...cards.values()].filter((c) => c !== card && c.node.isConnected && c.createdAt < card.createdAt)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  list.insertBefore(card.node, older?.node ?? null);
  $("first-hint").hidden = true;
  if (generations.some((g) => g.in_progress)) startClock();
  for (const generation of generations) if (generation.in_progress) follow(generation, card);
}

/** How much of the bottom of the screen a fixed bar covers (the phone's Generate bar), in px. */
function coveredAtBottom() {
  const bar = document.querySelector(".generate-bar");
  if (!bar || getComputedStyle(bar).position !== "fixed") return 0;
  return Math.max(0, innerHeight - bar.getBoundingClientRect().top);
}

/** Brings a new job into view, above any fixed bar, smoothly unless the person asked for less motion. */
function bringIntoView(node) {
  node.style.scrollMarginBottom = `${coveredAtBottom() + 12}px`;
  const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
  node.scrollIntoView({ block: "nearest", behavior: smooth ? "smooth" : "auto" });
}

/** Puts the just-admitted generations of one request at the top of the list as one card, shows it where the
 * person is looking and follows each image on its own. */
export function startRuns(generations) {
  const card = jobCard(generations, { fresh: true });
  place(card, generations);
  bringIntoView(card.node);
  const first = generations[0];
  const text = generations.length > 1 ? `Started ${generations.length} images of “${short(first.prompt)}”.` : `Started “${short(first.prompt)}”.`;
  lastSaid.set(card, text);
  announce(text);
}

// How many of the latest generations the Recent list shows after a reload; the gallery below has the rest.
const RECENT = 12;

/** On page load: the account's latest jobs (running ones resume their progress), grouped by request; for an
 * account with nothing yet, the first-time hint instead. */
export async function showRecentJobs() {
  const page = await api.get(`/api/generations?limit=${RECENT}`).catch(() => null);
  if (!page) return;
  const groups = new Map();
  for (const generation of page.generations) {
    const key = generation.batch_id ?? generation.id;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(generation);
  }
  // On a full page the oldest request may go on past it: it is left to the gallery rather than shown cut.
  const batches = [...groups.values()];
  if (page.next_cursor && batches.length > 1 && batches.at(-1)[0].batch_id) batches.pop();
  for (const batch of batches) {
    if (cards.has(batch[0].batch_id ?? batch[0].id) || batch.some((g) => cardOfGeneration.has(g.id))) continue; // started here meanwhile
    batch.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    place(jobCard(batch), batch);
  }
  if (!page.generations.length && !cards.size) $("first-hint").hidden = false;
}

// A cell removed by someone else (the detail view's Delete) leaves its card too; an empty card goes.
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.removedNodes) {
      const id = node.dataset?.id;
      if (id && node.classList.contains("job-image") && !node.isConnected) forget(id);
    }
  }
}).observe($("results"), { childList: true, subtree: true });

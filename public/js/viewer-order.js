// The order the viewer steps through: the gallery's tiles as loaded (the next page loads at the end), or the
// studio's results when the viewer was opened from there. A neighbour the page does not hold is read from the API.
import { api } from "./common.js";
import { galleryGeneration, galleryGenerations, galleryHasMore, loadMore } from "./gallery.js";

const unique = (ids) => [...new Set(ids)];

function idsNow(order) {
  if (order.alone) return order.ids;
  if (order.fromResults) return unique([...document.querySelectorAll("#results [data-id]")].map((node) => node.dataset.id));
  return galleryGenerations().map((g) => g.id);
}

/** The order for a viewer opened on `generation` by `opener` (the focused element: a result or a gallery tile). */
export function orderFor(generation, opener) {
  const order = { fromResults: Boolean(opener?.closest?.("#results")), known: new Map([[generation.id, generation]]), index: 0, ids: [] };
  order.ids = idsNow(order);
  if (!order.ids.includes(generation.id)) Object.assign(order, { alone: true, ids: [generation.id] });
  order.index = order.ids.indexOf(generation.id);
  return order;
}

/** Where `id` is now (the lists change as pages load and images are deleted); its last place if it is gone. */
function place(order, id) {
  const live = idsNow(order);
  if (live.includes(id)) order.ids = live;
  const found = order.ids.indexOf(id);
  if (found >= 0) order.index = found;
  return order.index;
}

export function neighbours(order, id) {
  const index = place(order, id);
  return {
    index, count: order.ids.length,
    hasPrevious: index > 0,
    hasNext: index < order.ids.length - 1 || (!order.fromResults && !order.alone && galleryHasMore()),
  };
}

async function generationOf(order, id) {
  const held = (order.fromResults ? null : galleryGeneration(id)) ?? order.known.get(id);
  if (held && !held.in_progress) return held;
  const fresh = await api.get(`/api/generations/${id}`);
  order.known.set(id, fresh);
  return fresh;
}

/** The generation `step` places from `id` (-1 previous, +1 next), or null at either end. */
export async function stepFrom(order, id, step) {
  let index = place(order, id) + step;
  if (index >= order.ids.length && !order.fromResults && !order.alone && galleryHasMore()) {
    await loadMore();
    order.ids = idsNow(order);
    index = order.ids.indexOf(id) + step;
  }
  if (index < 0 || index >= order.ids.length) return null;
  return generationOf(order, order.ids[index]);
}

/** After a delete: the generation now in the deleted one's place (the next, or the previous at the end). */
export async function afterRemoval(order, id) {
  const at = order.ids.indexOf(id);
  order.ids = order.ids.filter((other) => other !== id);
  const live = idsNow(order).filter((other) => other !== id);
  if (live.length) order.ids = live;
  if (!order.ids.length) return null;
  const index = Math.min(Math.max(at, 0), order.ids.length - 1);
  order.index = index;
  return generationOf(order, order.ids[index]);
}

/** Keeps the newest state of a generation the viewer changed (shared, favourite), for stepping back to it. */
export function remember(order, generation) {
  order.known.set(generation.id, generation);
}

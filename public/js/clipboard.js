// Copying to the clipboard with a confirmation beside the button that did it: a short status text (in a role=status
// element, so it is announced) that clears itself after a few seconds.
const SHOWN_MS = 4000;
const timers = new WeakMap();

/** Writes `text` to the clipboard; false when the browser refuses (no permission, not focused, no API). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Shows `text` in the status element `node` (tone "ok" or "bad") for a few seconds; a newer text replaces it. */
export function flash(node, text, tone = "ok") {
  clearTimeout(timers.get(node));
  node.textContent = "";
  // Emptied first and filled in the next frame, so the same confirmation twice is announced twice.
  requestAnimationFrame(() => {
    node.textContent = text;
    node.dataset.tone = tone;
  });
  timers.set(node, setTimeout(() => { node.textContent = ""; delete node.dataset.tone; }, SHOWN_MS));
}

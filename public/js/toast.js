// Confirmations where the eye is: one short message at the top of the screen (above any fixed bar), announced to
// screen readers through one polite live region that exists from page load, gone after a few seconds.
import { element } from "./common.js";

const SHOWN_MS = 4000;
let region = null;
let hideTimer = null;

/** The live region is made once, empty, so assistive technology is already watching it when a message lands. */
function liveRegion() {
  if (region?.isConnected) return region;
  region = element("div", { id: "toast", class: "toast", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  document.body.append(region);
  return region;
}

/** Shows `text` (tone "ok" or "bad") and announces it; a newer message replaces an older one. */
export function toast(text, tone = "ok") {
  const node = liveRegion();
  clearTimeout(hideTimer);
  node.textContent = "";
  // A new text node in the next frame, so the same message twice is announced twice.
  requestAnimationFrame(() => {
    node.className = `toast shown ${tone}`;
    node.textContent = text;
  });
  hideTimer = setTimeout(() => { node.className = "toast"; node.textContent = ""; }, SHOWN_MS);
}

/** Made at start-up by pages that confirm things, so the first message is not lost to a region made too late. */
export const prepareToasts = () => { liveRegion(); };

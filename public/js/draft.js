// The studio's draft — prompt, model, shape, quality, count and references — kept in this tab's sessionStorage
// under the account's id, so it survives a reload, a fresh Google sign-in and a trip through Stripe Checkout (all in
// the same tab) but not the tab itself: nothing of a prompt stays on a shared computer once the tab is closed, two
// studio tabs keep two drafts, and another account signing in here never sees it. It is the form as it is, so it
// stays after Generate (the prompt stays in the box, as in Midjourney) and changes with every edit.

const VERSION = 1;
const SAVE_AFTER_MS = 250;
const keyOf = (accountId) => `gptimg.draft.${accountId}`;

/** The kept draft of this account in this tab, or null. */
export function loadDraft(accountId) {
  try {
    const draft = JSON.parse(sessionStorage.getItem(keyOf(accountId)) ?? "null");
    return draft?.version === VERSION ? draft : null;
  } catch {
    return null; // storage blocked or a damaged value: start from an empty form
  }
}

function save(accountId, state) {
  try {
    sessionStorage.setItem(keyOf(accountId), JSON.stringify({ version: VERSION, ...state }));
  } catch {
    // Storage full or blocked: the form still works, it just is not kept.
  }
}

/** The image references that still exist (an image deleted meanwhile answers 404 and is left out). */
async function existingReferences(references) {
  const checks = await Promise.all(references.map(async (ref) => {
    if (ref.kind !== "image") return true; // uploads have no read endpoint of their own; a deleted one is said at Generate
    // One byte of the preview is enough to know it is still there.
    const response = await fetch(`/images/${encodeURIComponent(ref.id)}?size=preview`, { headers: { range: "bytes=0-0" }, cache: "no-store" }).catch(() => null);
    return response?.status !== 404;
  }));
  return references.filter((_, i) => checks[i]);
}

/** The kept draft with references deleted since dropped; null when there is none. */
export async function restorableDraft(accountId) {
  const draft = loadDraft(accountId);
  if (!draft) return null;
  const references = Array.isArray(draft.references) ? draft.references.filter((r) => typeof r?.id === "string" && (r.kind === "upload" || r.kind === "image")) : [];
  return { ...draft, references: await existingReferences(references) };
}

/** Forgets every draft of this tab (for signing out on a shared computer). */
export function forgetDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith("gptimg.draft.")) sessionStorage.removeItem(key);
  } catch {
    // Storage blocked: nothing was kept.
  }
}

/** Saves `readState()` shortly after each change and at once when the page is left (reload, sign-in, checkout). */
export function keepDraft(accountId, readState) {
  let timer = null;
  const flush = () => { clearTimeout(timer); timer = null; save(accountId, readState()); };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(flush, SAVE_AFTER_MS); };
  addEventListener("pagehide", () => { if (timer) flush(); });
  return { schedule, flush };
}

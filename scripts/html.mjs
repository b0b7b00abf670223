// The one HTML escape of the page builder (scripts/pages.mjs, scripts/api-docs.mjs); the Worker's twin is
// domain/src/html.rs, and tests/fixtures/html-escape.json holds both to the same output.
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `& < > " '` as entities: safe in text and in either kind of quoted attribute. */
export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);

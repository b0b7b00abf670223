// Builds the static site wrangler serves (wrangler.toml [assets] directory, git-ignored): public/ as it is, plus
// every pages/<name>.html rendered into pages/_layout.html, so the head, header and footer are written once.
// The Worker's own pages (src/http/pages.rs) fill the same layout. No dependencies: run by scripts/build.sh.
//
// A page source starts with a block of `key: value` lines between `---` lines:
//   title (required)  the whole <title>
//   description       a <meta name="description">
//   script            an ES module loaded by the page
//   main              the class of <main>
//   header            what the header shows after the brand (default: the account navigation; empty for none)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderApiDocs } from "./api-docs.mjs";
import { escapeHtml } from "./html.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SITE_DIR = path.join(ROOT, "site");
const ACCOUNT_NAV = '<nav aria-label="Account" id="account-nav" class="account-nav"></nav>';

const indent = (text, spaces) => text.split("\n").map((line) => (line ? " ".repeat(spaces) + line : line)).join("\n");

/** Splits a page source into its settings and its body. */
export function parsePage(source, name) {
  const match = source.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
  if (!match) throw new Error(`${name}: a page starts with a ---/--- block of settings`);
  const settings = {};
  for (const line of match[1].split("\n")) {
    const separator = line.indexOf(":");
    if (separator < 1) throw new Error(`${name}: "${line}" is not a key: value line`);
    settings[line.slice(0, separator).trim()] = line.slice(separator + 1).trim();
  }
  if (!settings.title) throw new Error(`${name}: a page needs a title`);
  return { settings, body: match[2].replace(/\n$/, "") };
}

/** Fills the layout's {{slot}}s; a slot left unfilled (or an unknown one) is an error, not a page with holes. */
export function fill(layout, slots) {
  return layout.replace(/\{\{([a-z_]+)\}\}/g, (_, slot) => {
    if (!(slot in slots)) throw new Error(`the layout's {{${slot}}} has no value`);
    return slots[slot];
  });
}

export function render(layout, { settings, body }) {
  const head = [
    settings.description && `<meta name="description" content="${escapeHtml(settings.description)}">`,
    settings.script && `<script type="module" src="${escapeHtml(settings.script)}"></script>`,
  ].filter(Boolean);
  const header = settings.header ?? ACCOUNT_NAV;
  const html = fill(layout, {
    title: settings.title,
    head: indent(head.join("\n"), 2),
    header: indent(header, 4),
    main_class: escapeHtml(settings.main ?? ""),
    content: indent(body, 4),
  });
  return html.replace(/\n\s*\n(\s*<\/?(head|header)>)/g, "\n$1");
}

export function buildSite() {
  const pagesDir = path.join(ROOT, "pages");
  const layout = fs.readFileSync(path.join(pagesDir, "_layout.html"), "utf8");
  fs.rmSync(SITE_DIR, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "public"), SITE_DIR, { recursive: true });
  const names = fs.readdirSync(pagesDir).filter((f) => f.endsWith(".html") && !f.startsWith("_"));
  for (const name of names) {
    const target = path.join(SITE_DIR, name);
    if (fs.existsSync(target)) throw new Error(`${name} is both in public/ and pages/`);
    fs.writeFileSync(target, render(layout, parsePage(fs.readFileSync(path.join(pagesDir, name), "utf8"), name)));
  }
  // The OpenAPI document (served by the Worker at /api/openapi.json), and /docs/api rendered from it at build time
  // (scripts/api-docs.mjs).
  fs.cpSync(path.join(ROOT, "openapi/openapi.json"), path.join(SITE_DIR, "openapi/openapi.json"));
  const openapi = JSON.parse(fs.readFileSync(path.join(ROOT, "openapi/openapi.json"), "utf8"));
  fs.mkdirSync(path.join(SITE_DIR, "docs"), { recursive: true });
  fs.writeFileSync(path.join(SITE_DIR, "docs/api.html"), render(layout, { settings: {
    title: "API reference — GPTImg", description: "Generate images from your own code: the GPTImg API with examples in curl, JavaScript and Python.",
    script: "/js/api-docs.js", main: "page wide api-docs" }, body: renderApiDocs(openapi) }));
  names.push("docs/api.html");
  return names;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = buildSite();
  console.log(`[pages] ${names.length} pages rendered into ${path.relative(ROOT, SITE_DIR)}/`);
}

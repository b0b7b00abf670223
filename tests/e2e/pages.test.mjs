// The page chrome is written once: every served page and the Worker's own sign-in error page share the layout in
// pages/_layout.html (head, skip link, header, footer), with nothing left unfilled.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, useWorker } from "../support/worker.mjs";
import { fill, parsePage, render } from "../../scripts/pages.mjs";

const worker = useWorker({ before, after });

const PAGES = ["/", "/app", "/account", "/support", "/privacy", "/terms", "/docs/api", "/no-such-page"];
const layout = fs.readFileSync(path.join(ROOT, "pages", "_layout.html"), "utf8");
/** The layout's fixed lines (everything but its slots): what every page must contain, in this order. */
const chrome = layout.split("\n").filter((line) => line.trim() && !line.includes("{{")).map((line) => line.trim());

function assertChrome(html, name) {
  const lines = html.split("\n").map((line) => line.trim());
  let at = -1;
  for (const line of chrome) {
    const found = lines.indexOf(line, at + 1);
    assert.ok(found > at, `${name}: "${line}" missing or out of order`);
    at = found;
  }
  assert.doesNotMatch(html, /\{\{|\}\}/, `${name} has an unfilled slot`);
  assert.equal(html.match(/<main id="main"/g)?.length, 1, `${name}: the skip link's target`);
}

test("every page is served in the one layout, with a skip link to its main content", async () => {
  for (const page of PAGES) {
    const response = await worker.fetch(page);
    assert.match(response.headers.get("content-type"), /text\/html/, page);
    assertChrome(await response.text(), page);
  }
});

test("the Worker's sign-in error page fills the same layout", async () => {
  const start = await worker.fetch("/auth/google/start");
  const state = new URL(start.headers.get("location")).searchParams.get("state");
  const response = await worker.fetch(`/auth/google/callback?code=abc&state=${state}`);
  assert.equal(response.status, 400);
  const html = await response.text();
  assertChrome(html, "sign-in error");
  assert.match(html, /<main id="main" class="hero">\n\s*<h1>Sign-in failed<\/h1>/);
  assert.match(html, /<title>Sign-in failed — GPTImg<\/title>/);
});

test("the page builder refuses a page without settings or a title, and a slot it cannot fill", () => {
  assert.throws(() => parsePage("<h1>No settings</h1>", "x.html"), /settings/);
  assert.throws(() => parsePage("---\nmain: page\n---\n<h1>x</h1>", "x.html"), /title/);
  assert.throws(() => fill("<title>{{title}}</title>{{footer}}", { title: "x" }), /footer/);
  const page = render(layout, parsePage('---\ntitle: A "quoted" page\nscript: /js/x.js\nheader: \n---\n<h1>Hi</h1>', "x.html"));
  assert.match(page, /<title>A "quoted" page<\/title>/);
  const script = page.indexOf('<script type="module" src="/js/x.js"></script>');
  assert.ok(script > 0 && script < page.indexOf("</head>"), "the page's module is loaded from its head");
  assert.doesNotMatch(page, /account-nav/, "an empty header setting means no navigation");
});

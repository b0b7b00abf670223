// The admin console's Dashboard section: GET /api/admin/dashboard?days= drawn as inline SVG charts (drawn at the
// figure's own width, so labels stay legible at 390 px), each with a table of its numbers and a CSV download.
// Every data mark carries class "mark" (what the browser test counts). No third-party code, no inline styles.
import { api, $, element } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
let counter = 0;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  node.append(...children);
  return node;
}

const money = (cents) => (cents / 100).toFixed(2);
const short = (day) => day.slice(5); // MM-DD
const niceMax = (max) => {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
};

/** The figure: caption with a CSV link, the chart, and the numbers as a table inside <details>. */
function figure(series, title, days, chart, columns, rows) {
  const captionId = `chart-${++counter}`;
  const table = element("table", { class: "ledger" },
    element("caption", { class: "visually-hidden" }, title),
    element("thead", {}, element("tr", {}, ...columns.map((c) => element("th", { scope: "col" }, c)))),
    element("tbody", {}, ...(rows.length ? rows : [[]]).map((cells) => element("tr", {}, ...cells.map((c) => element("td", {}, String(c)))))));
  const link = element("a", { class: "button-quiet button-small", href: `/api/admin/dashboard/${series}.csv?days=${days}`, download: "", "aria-label": `Download CSV: ${title}` }, "Download CSV");
  const node = element("figure", { class: "chart", "aria-labelledby": captionId, "data-series": series },
    element("figcaption", { class: "chart-head" }, element("h3", { id: captionId }, title), link),
    chart ?? element("p", { class: "muted" }, "Nothing in these days."),
    // A wide table scrolls sideways on a phone: its scroller is focusable so keyboards can scroll it too.
    element("details", {}, element("summary", {}, "Show the numbers"),
      element("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `${title}: the numbers` }, table)));
  return node;
}

/** An SVG frame with its accessible name and a y axis from 0 to `max`; returns { root, plot, x0, y, w, h }. */
function frame(width, height, title, description, max, format) {
  const left = 48;
  const bottom = 22;
  const titleId = `svg-title-${++counter}`;
  const descId = `svg-desc-${counter}`;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "chart-svg" },
    svg("title", { id: titleId }, title), svg("desc", { id: descId }, description));
  const h = height - bottom - 8;
  const y = (value) => 8 + h - (value / max) * h;
  const right = 8; // room for the last point's marker
  for (const tick of [0, max / 2, max]) {
    root.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "grid" }),
      svg("text", { x: left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, format(tick)));
  }
  return { root, left, y, w: width - left - right, h, bottom: 8 + h };
}

/** X labels: first, middle and last day (more would collide on a phone). */
function dayLabels(f, days, xOf) {
  const picks = [...new Set([0, Math.floor((days.length - 1) / 2), days.length - 1])];
  for (const i of picks) {
    f.root.append(svg("text", { x: xOf(i), y: f.bottom + 16, class: "axis", "text-anchor": i === 0 ? "start" : i === days.length - 1 ? "end" : "middle" }, short(days[i])));
  }
}

function legend(items) {
  return element("ul", { class: "chart-legend" }, ...items.map(([name, cls]) => element("li", {}, element("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), name)));
}

/** One line (with a point per day) per series. */
function lineChart(width, title, days, lines, format) {
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.values)));
  const description = lines.map((l) => `${l.name}: total ${format(l.values.reduce((a, b) => a + b, 0))}`).join("; ");
  const f = frame(width, 200, title, `${days.length} days from ${days[0]} to ${days.at(-1)}. ${description}.`, max, format);
  const step = days.length > 1 ? f.w / (days.length - 1) : 0;
  const xOf = (i) => f.left + (days.length > 1 ? i * step : f.w / 2);
  for (const line of lines) {
    const points = line.values.map((v, i) => `${xOf(i).toFixed(1)},${f.y(v).toFixed(1)}`).join(" ");
    f.root.append(svg("polyline", { points, class: `line ${line.cls}` }));
    line.values.forEach((v, i) => f.root.append(svg("circle", { cx: xOf(i), cy: f.y(v), r: 2.5, class: `mark ${line.cls}` }, svg("title", {}, `${days[i]} ${line.name}: ${format(v)}`))));
  }
  dayLabels(f, days, xOf);
  return element("div", {}, f.root, legend(lines.map((l) => [l.name, l.cls])));
}

/** Stacked bars, one per day, a segment per part (zero-height segments are drawn too, so marks = days × parts). */
function stackedBars(width, title, days, parts, rows) {
  const max = niceMax(Math.max(0, ...rows.map((r) => parts.reduce((n, [key]) => n + r[key], 0))));
  const f = frame(width, 200, title, `${days.length} days from ${days[0]} to ${days.at(-1)}; ${parts.map(([key, name]) => `${name} ${rows.reduce((n, r) => n + r[key], 0)}`).join(", ")}.`, max, (v) => String(Math.round(v)));
  const slot = f.w / days.length;
  const bar = Math.max(1, slot * 0.7);
  rows.forEach((row, i) => {
    let top = 0;
    for (const [key, name, cls] of parts) {
      const y1 = f.y(top);
      top += row[key];
      const y2 = f.y(top);
      f.root.append(svg("rect", { x: f.left + i * slot + (slot - bar) / 2, y: y2, width: bar, height: Math.max(0, y1 - y2), class: `mark ${cls}` }, svg("title", {}, `${days[i]} ${name}: ${row[key]}`)));
    }
  });
  dayLabels(f, days, (i) => f.left + i * slot + slot / 2);
  return element("div", {}, f.root, legend(parts.map(([, name, cls]) => [name, cls])));
}

/** Horizontal bars: a row per category, a bar per measure. */
function horizontalBars(width, title, categories, measures, format) {
  if (!categories.length) return null;
  const label = Math.min(150, Math.floor(width * 0.35));
  const barH = 14;
  const rowH = measures.length * (barH + 3) + 12;
  const height = categories.length * rowH + 8;
  const max = niceMax(Math.max(0, ...measures.flatMap((m) => m.values.filter((v) => v !== null))));
  const titleId = `svg-title-${++counter}`;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": titleId, class: "chart-svg" },
    svg("title", { id: titleId }, `${title}: ${categories.map((c, i) => `${c} ${measures.map((m) => `${m.name} ${m.values[i] === null ? "none" : format(m.values[i])}`).join(", ")}`).join("; ")}`));
  const room = width - label - 60;
  categories.forEach((category, i) => {
    const top = 4 + i * rowH;
    root.append(svg("text", { x: label - 6, y: top + rowH / 2, class: "axis", "text-anchor": "end" }, category.length > 22 ? `${category.slice(0, 21)}…` : category));
    measures.forEach((m, j) => {
      const value = m.values[i];
      const y = top + j * (barH + 3);
      const w = value === null ? 0 : (value / max) * room;
      root.append(svg("rect", { x: label, y, width: Math.max(0, w), height: barH, class: `mark ${m.cls}` }, svg("title", {}, `${category} ${m.name}: ${value === null ? "none" : format(value)}`)),
        svg("text", { x: label + w + 4, y: y + barH - 3, class: "axis" }, value === null ? "—" : format(value)));
    });
  });
  return element("div", {}, root, legend(measures.map((m) => [m.name, m.cls])));
}

/** Counts now (attention, deletions) as a small list: these are states, not days. */
function counts(series, title, days, rows, describe) {
  const list = element("ul", { class: "tally" }, ...(rows.length ? rows.map((r) => element("li", { class: r.count ? "bad" : "" },
    element("strong", {}, String(r.count)), ` ${describe(r)}${r.oldest_at ? ` · oldest ${new Date(r.oldest_at).toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}`))
    : [element("li", { class: "ok" }, "Nothing needs attention.")]));
  return figure(series, title, days, list, ["source", "kind", "count", "oldest_at"], rows.map((r) => [r.source, r.kind, r.count, r.oldest_at ?? ""]));
}

function render(data, width) {
  const days = data.generations.map((g) => g.day);
  const currencies = [...new Set(data.revenue.map((r) => r.currency))];
  const lines = currencies.map((currency, i) => ({ name: `net ${currency.toUpperCase()}`, cls: `s${i % 4}`, values: data.revenue.filter((r) => r.currency === currency).map((r) => r.net_cents) }));
  const revenue = figure("revenue", "Revenue per day (net of refunds and disputes)", data.days,
    lines.length ? lineChart(width, "Revenue per day", days, lines, money) : null,
    ["day", "currency", "payments", "gross", "reversed", "net"], data.revenue.map((r) => [r.day, r.currency, r.payments, money(r.gross_cents), money(r.reversed_cents), money(r.net_cents)]));
  const credits = figure("credits", "Credits sold vs spent per day", data.days,
    lineChart(width, "Credits sold vs spent per day", days, [
      { name: "sold", cls: "s0", values: data.credits.map((c) => c.sold) },
      { name: "spent (charged − refunded)", cls: "s1", values: data.credits.map((c) => c.spent) },
    ], (v) => String(Math.round(v))),
    ["day", "sold", "charged", "refunded", "spent"], data.credits.map((c) => [c.day, c.sold, c.charged, c.refunded, c.spent]));
  const parts = [["succeeded", "succeeded", "s0"], ["refunded", "failed, refunded", "s2"], ["failed", "failed, not refunded", "s3"], ["in_progress", "in progress", "s1"]];
  const generations = figure("generations", "Generations per day by outcome", data.days, stackedBars(width, "Generations per day by outcome", days, parts, data.generations),
    ["day", "succeeded", "refunded", "failed", "in progress", "total"], data.generations.map((g) => [g.day, g.succeeded, g.refunded, g.failed, g.in_progress, g.total]));
  const names = data.models.map((m) => m.model);
  const models = figure("models", "Completion time (p50 / p95) and failure rate by model", data.days,
    horizontalBars(width, "Completion time by model, seconds", names, [
      { name: "p50 seconds", cls: "s0", values: data.models.map((m) => m.p50_seconds) },
      { name: "p95 seconds", cls: "s1", values: data.models.map((m) => m.p95_seconds) },
    ], (v) => `${Math.round(v)} s`),
    ["model", "generations", "succeeded", "failed", "in progress", "failure rate", "p50 s", "p95 s"],
    data.models.map((m) => [m.model, m.generations, m.succeeded, m.failed, m.in_progress, m.failure_rate_per_mille === null ? "—" : `${(m.failure_rate_per_mille / 10).toFixed(1)} %`, m.p50_seconds ?? "—", m.p95_seconds ?? "—"]));
  const failureRate = horizontalBars(width, "Failure rate by model, percent", names,
    [{ name: "failure rate", cls: "s3", values: data.models.map((m) => (m.failure_rate_per_mille === null ? null : m.failure_rate_per_mille / 10)) }], (v) => `${v.toFixed(1)} %`);
  if (failureRate) models.insertBefore(failureRate, models.querySelector("details"));
  const codes = figure("failure_codes", "Failure codes (APIPod and ours)", data.days,
    horizontalBars(width, "Failed generations by failure code", data.failure_codes.map((c) => c.kind), [{ name: "failures", cls: "s3", values: data.failure_codes.map((c) => c.count) }], (v) => String(Math.round(v))),
    ["code", "count"], data.failure_codes.map((c) => [c.kind, c.count]));
  const attention = counts("attention", "Webhook events needing attention (now)", data.days, data.attention,
    (r) => (r.source === "billing_problem" ? `open billing problem: ${r.kind.replaceAll("_", " ")}` : `Stripe event ${r.kind} not applied`));
  const deletions = counts("deletions", "Pending deletions (now)", data.days, data.deletions,
    (r) => ({ deletion_pending: "account deletions not finished", deletion_stuck: "of them stuck (see below)", objects_pending_deletion: "stored images waiting to be deleted" })[r.kind] ?? r.kind);
  return [revenue, credits, generations, models, codes, attention, deletions];
}

let last = null;

async function load() {
  const days = $("dashboard-days").value;
  const target = $("dashboard");
  target.setAttribute("aria-busy", "true");
  try {
    last = await api.get(`/api/admin/dashboard?days=${days}`);
    draw();
  } catch (error) {
    target.replaceChildren(element("p", { class: "bad" }, error.message));
  } finally {
    target.removeAttribute("aria-busy");
  }
}

function draw() {
  const target = $("dashboard");
  if (!last) return;
  const width = Math.max(280, Math.floor(target.clientWidth));
  $("dashboard-range").textContent = `${last.from} to ${last.to} (UTC), ${last.days} days.`;
  target.replaceChildren(...render(last, width));
}

let resizing;
let drawnWidth = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    const width = $("dashboard").clientWidth;
    if (width !== drawnWidth) { drawnWidth = width; draw(); }
  }, 150);
});
$("dashboard-days").addEventListener("change", load);
load();

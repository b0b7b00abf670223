// One job card in the studio's Recent list: the generations of one request (one batch) as one card — the prompt
// once, the images in a grid whose cells keep the image's own shape from admission on, each cell showing its own
// progress, image or failure, the image's actions on hover or focus, and one summary line for the whole job.
import { credits, element, short } from "./common.js";
import { openDetail } from "./detail.js";
import { downloadName, previewUrl, showMedium, tileImage } from "./images.js";
import { addImageReference, makeDraggable } from "./references.js";
import { remix } from "./studio-form.js";

// Stroke icons (24 × 24) for the per-image actions; each button also has its name as aria-label and title.
const ICONS = {
  download: '<path d="M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 19.5h14"/>',
  details: '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/>',
  remix: '<path d="M19.5 9A8 8 0 0 0 5.3 7.2L4 8.5M4 4v4.5h4.5M4.5 15a8 8 0 0 0 14.2 1.8l1.3-1.3M20 20v-4.5h-4.5"/>',
  reference: '<rect x="3.5" y="6.5" width="12" height="12" rx="2"/><path d="M19 3v6M16 6h6"/>',
};

function icon(name) {
  const holder = document.createElement("span");
  holder.className = "icon";
  holder.setAttribute("aria-hidden", "true");
  holder.innerHTML = `<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}</svg>`;
  return holder;
}

/** The shape of an aspect ratio ("16:9") as [width, height], 1:1 when it cannot be read. */
function ratioOf(aspectRatio) {
  const [w, h] = String(aspectRatio ?? "").split(":").map(Number);
  return w > 0 && h > 0 ? [w, h] : [1, 1];
}

/** Download, Details, Remix and Use as reference for one finished image, as icon buttons; in a batch each name
 * says which image it is for. */
export function imageActions(generation, image, which = "") {
  const name = (action) => (which ? `${action}, ${which}` : action);
  const button = (action, iconName, onclick) => element("button", {
    class: "image-action", type: "button", "aria-label": name(action), title: action, onclick,
  }, icon(iconName));
  return element("div", { class: "image-actions" },
    element("a", { class: "image-action", href: image.url, download: downloadName(generation, image), "aria-label": name("Download"), title: "Download" }, icon("download")),
    button("Details", "details", () => openDetail(generation)),
    button("Remix", "remix", () => remix(generation)),
    button("Use as reference", "reference", () => addImageReference({ id: image.id, url: previewUrl(image), name: `“${short(generation.prompt)}”` })));
}

/**
 * A card for the generations of one request (newest request first in the list; images in their request order).
 * `fresh`: started on this page, so finished images show the medium at once; recent ones from a reload show the
 * preview (the gallery's size), lazily.
 */
export function jobCard(generations, { fresh = false } = {}) {
  const first = generations[0];
  const [w, h] = ratioOf(first.aspect_ratio);
  const cells = new Map(); // generation id → { node, generation, state, elapsed }
  const grid = element("div", { class: "job-images" });
  grid.style.setProperty("--ratio", String(w / h));
  const prompt = element("p", { class: "job-prompt", title: first.prompt }, first.prompt);
  const summary = element("span", { class: "job-count" });
  const facts = element("span", { class: "job-facts" }, [first.model_name ?? first.model, first.aspect_ratio, first.quality].filter(Boolean).join(" · "));
  const failure = element("p", { class: "job-failure bad", hidden: true });
  const node = element("li", { class: "job running", "data-batch": first.batch_id ?? first.id, "data-shape": w / h >= 1.5 ? "wide" : w / h <= 0.67 ? "tall" : "square" },
    grid, element("div", { class: "job-meta" }, prompt, element("p", { class: "job-summary" }, summary, facts), failure));

  const label = (generation) => {
    const n = cells.size;
    return n > 1 ? `image ${[...cells.keys()].indexOf(generation.id) + 1} of ${n}` : "";
  };

  function progressCell(cell, generation) {
    cell.node.className = "job-image running";
    cell.state = element("span", { class: "run-state" }, generation.status === "queued" ? "Queued" : "Generating");
    cell.elapsed = element("span", { class: "run-elapsed", "aria-hidden": "true", "data-since": String(generation.created_at) });
    const which = label(generation);
    cell.node.replaceChildren(element("div", { class: "job-progress" },
      element("div", { class: "progress-bar", role: "progressbar", "aria-label": `Generating ${which ? `${which} of ` : ""}“${short(generation.prompt)}”` }, element("span")),
      element("p", { class: "run-status" }, cell.state, cell.elapsed)));
  }

  function doneCell(cell, generation) {
    const image = generation.images[0];
    let img;
    if (fresh) {
      img = element("img", { class: "run-image" });
      showMedium(img, image, generation.prompt);
    } else {
      img = tileImage(image, generation.prompt);
      img.classList.add("run-image");
    }
    img.draggable = false; // the cell is dragged, with our drag data, not the bare <img>
    img.addEventListener("click", () => openDetail(generation));
    cell.node.className = "job-image done";
    makeDraggable(cell.node, generation, image);
    cell.state = element("span", { class: "run-state visually-hidden" }, "Done");
    cell.node.replaceChildren(img, imageActions(generation, image, label(generation)), cell.state);
  }

  function failedCell(cell, generation) {
    cell.node.className = "job-image failed";
    cell.state = element("span", { class: "run-state" }, "Failed");
    cell.node.replaceChildren(element("div", { class: "job-progress" },
      element("span", { class: "run-failed-mark", "aria-hidden": "true" }, "!"), cell.state,
      element("button", { class: "button-quiet button-small", type: "button", onclick: () => remix(generation) }, "Try again")));
  }

  function refreshSummary() {
    const all = [...cells.values()].map((c) => c.generation);
    const running = all.filter((g) => g.in_progress);
    const done = all.filter((g) => g.status === "succeeded");
    const failed = all.filter((g) => !g.in_progress && g.status === "failed");
    node.classList.toggle("running", running.length > 0);
    node.classList.toggle("done", !running.length && done.length > 0);
    node.classList.toggle("failed", !running.length && !done.length && failed.length > 0);
    node.dataset.count = String(all.length);
    if (all.length > 1) summary.textContent = `${done.length} of ${all.length} done${failed.length ? ` · ${failed.length} failed` : ""}`;
    else summary.textContent = running.length ? (running[0].status === "queued" ? "Queued" : "Generating") : done.length ? "Done" : "Failed";
    failure.hidden = !failed.length;
    failure.textContent = failed.map((g) => {
      const said = g.failure?.message ?? "The image service could not make this image.";
      const refund = said.includes("refunded") ? "" : ` Your ${credits(g.cost)} were refunded.`;
      const which = label(g);
      return `${which ? `${which[0].toUpperCase()}${which.slice(1)}: ` : ""}${said}${refund}`;
    }).join(" ") + (failed.length ? " You can try again now." : "");
  }

  /** Shows a generation's latest state in its cell (and the card's summary). */
  function show(generation) {
    const cell = cells.get(generation.id);
    if (!cell) return;
    const before = cell.generation;
    cell.generation = generation;
    if (generation.in_progress) {
      if (!cell.state || !before.in_progress) progressCell(cell, generation);
      else cell.state.textContent = generation.status === "queued" ? "Queued" : "Generating";
    } else if (generation.status === "succeeded" && generation.images[0]) {
      doneCell(cell, generation);
    } else {
      failedCell(cell, generation);
    }
    refreshSummary();
  }

  /** Drops a generation's cell (deleted, or gone); returns how many are left. */
  function forget(id) {
    const cell = cells.get(id);
    if (!cell) return cells.size;
    cells.delete(id);
    cell.node.remove();
    if (cells.size) refreshSummary();
    return cells.size;
  }

  for (const generation of generations) {
    const cell = { node: element("div", { class: "job-image", "data-id": generation.id }), generation, state: null };
    cell.node.style.aspectRatio = `${w} / ${h}`;
    cells.set(generation.id, cell);
    grid.append(cell.node);
  }
  for (const generation of generations) show(generation);

  /** What the live region says about the job as it is now: changes of state only, never the seconds. */
  function spoken() {
    const all = [...cells.values()].map((c) => c.generation);
    const n = all.length;
    const about = `“${short(first.prompt)}”`;
    const done = all.filter((g) => g.status === "succeeded").length;
    const failed = all.filter((g) => !g.in_progress && g.status === "failed");
    if (all.some((g) => g.in_progress)) {
      if (all.every((g) => g.status === "queued")) return null; // "Started" already said it
      if (done || failed.length) return `Ready: ${done} of ${n} images of ${about}.`;
      return n > 1 ? `Generating ${n} images of ${about}.` : `Generating ${about}.`;
    }
    const refunded = credits(failed.reduce((sum, g) => sum + g.cost, 0));
    if (!done) return `Failed: ${about}. ${refunded} refunded; you can try again.`;
    if (n === 1) return `Ready: ${about}.`;
    return failed.length ? `Ready: ${done} of ${n} images of ${about}; ${failed.length} failed, ${refunded} refunded.` : `Ready: ${n} images of ${about}.`;
  }

  return { node, key: first.batch_id ?? first.id, createdAt: first.created_at, ids: () => [...cells.keys()], show, forget, spoken,
    setOffline: (id, offline) => cells.get(id)?.node.classList.toggle("offline", offline) };
}

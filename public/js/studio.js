// The studio: the generator (prompt, model, shape, reference images) and its live progress; gallery.js lists results.
import { $, api, credits, element, say, signInHref, startPage, updateBalance } from "./common.js";
import { openDetail } from "./detail.js";
import { prependToGallery, startGallery } from "./gallery.js";
import { downloadName, showMedium } from "./images.js";

let account = null;
let models = [];
const references = []; // { id, url, name }

const chosenModel = () => models.find((m) => m.id === $("model").value);
const chosenQuality = () => (chosenModel()?.qualities?.length ? $("quality").value : undefined);
/** A quality may cost more than the model's base price (4K does upstream). */
const priceOf = (model, quality) => model.quality_credits?.[quality] ?? model.credits_per_image;

function showCost() {
  const model = chosenModel();
  if (!model) return;
  $("cost").textContent = `Costs ${credits(priceOf(model, chosenQuality()))} · you have ${credits(account.credits)}`;
  const canReference = model.max_reference_images > 0;
  $("dropzone").classList.toggle("disabled", !canReference);
  $("dropzone").setAttribute("aria-disabled", String(!canReference));
  $("dropzone-help").textContent = canReference
    ? `Up to ${model.max_reference_images} images — PNG, JPEG or WebP, 10 MiB each.`
    : `${model.name} does not take reference images.`;
}

function fillAspectRatios() {
  const model = chosenModel();
  const previous = $("aspect").value;
  $("aspect").replaceChildren(...model.aspect_ratios.map((ratio) => element("option", { value: ratio, selected: ratio === previous }, ratio)));
  fillQualities();
}

/** The quality select, shown only for models that have one, starting at the documented default. */
function fillQualities() {
  const model = chosenModel();
  const qualities = model.qualities ?? [];
  const previous = $("quality").value;
  const pick = qualities.includes(previous) ? previous : (model.default_quality ?? qualities[0]);
  $("quality").replaceChildren(...qualities.map((q) => element("option", { value: q, selected: q === pick }, `${q} — ${credits(priceOf(model, q))}`)));
  $("quality-picker").hidden = qualities.length === 0;
  showCost();
}

async function loadModels() {
  ({ models } = await api.get("/api/models"));
  $("model").replaceChildren(...models.map((m) => element("option", { value: m.id }, `${m.name} — ${credits(m.credits_per_image)}`)));
  fillAspectRatios();
}

function renderReferences() {
  $("references").replaceChildren(...references.map((ref, index) => element("li", {},
    element("img", { src: ref.url, alt: `Reference ${index + 1}: ${ref.name}` }),
    element("button", { type: "button", class: "remove", "aria-label": `Remove ${ref.name}`, onclick: () => {
      URL.revokeObjectURL(ref.url);
      references.splice(index, 1);
      renderReferences();
    } }, "×"))));
}

async function addFiles(files) {
  const model = chosenModel();
  const message = $("generator-message");
  for (const file of files) {
    if (references.length >= model.max_reference_images) {
      say(message, `${model.name} takes at most ${model.max_reference_images} reference images.`, "bad");
      return;
    }
    say(message, `Uploading ${file.name}…`);
    try {
      const uploaded = await api.request("/api/uploads", { method: "POST", raw: file });
      references.push({ id: uploaded.id, url: URL.createObjectURL(file), name: file.name });
      renderReferences();
      say(message, "");
    } catch (error) {
      say(message, `${file.name}: ${error.message}`, "bad");
    }
  }
}

function wireDropzone() {
  const zone = $("dropzone");
  const input = $("reference-input");
  const open = () => { if (!zone.classList.contains("disabled")) input.click(); };
  zone.addEventListener("click", open);
  zone.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); } });
  input.addEventListener("change", () => { addFiles([...input.files]); input.value = ""; });
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (!zone.classList.contains("disabled")) addFiles([...event.dataTransfer.files]);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function follow(generation) {
  const started = Date.now();
  $("progress").hidden = false;
  $("result").hidden = true;
  $("result-actions").hidden = true;
  $("progress-bar").hidden = false;
  $("progress").scrollIntoView({ behavior: "smooth", block: "nearest" });
  // The live region (#progress-text) changes only with the state, so a screen reader hears "Queued…",
  // "Generating…", then the outcome; the seconds counter beside it is aria-hidden.
  const announce = (text, tone = "") => {
    if ($("progress-text").textContent !== text) $("progress-text").textContent = text;
    $("progress-text").className = tone;
  };
  while (generation.in_progress) {
    announce(generation.status === "queued" ? "Queued…" : "Generating…");
    $("progress-elapsed").textContent = `${Math.round((Date.now() - started) / 1000)} s`;
    await sleep(1000);
    generation = await api.get(`/api/generations/${generation.id}`);
  }
  $("progress-bar").hidden = true;
  $("progress-elapsed").textContent = "";
  account = await api.me();
  updateBalance(account.credits);
  showCost();
  if (generation.status === "failed") {
    announce(generation.failure?.message ?? "The generation failed. Your credits were refunded.", "bad");
    return;
  }
  const image = generation.images[0];
  announce("Done.", "ok");
  showMedium($("result-image"), image, generation.prompt);
  $("result-caption").textContent = generation.prompt;
  $("result").hidden = false;
  $("result-actions").replaceChildren(
    element("a", { class: "button", href: image.url, download: downloadName(generation, image) }, "Download"),
    element("button", { class: "button-quiet", type: "button", onclick: () => openDetail(generation) }, "Details"));
  $("result-actions").hidden = false;
  prependToGallery(generation);
}

async function submit(event) {
  event.preventDefault();
  const message = $("generator-message");
  const button = $("generate");
  button.disabled = true;
  say(message, "");
  try {
    // The 202 is { generations, cost, credits }; this form asks for one image.
    const [generation] = (await api.post("/api/generations", {
      prompt: $("prompt").value,
      model: $("model").value,
      aspect_ratio: $("aspect").value,
      ...(chosenQuality() ? { quality: chosenQuality() } : {}),
      reference_upload_ids: references.map((r) => r.id),
    })).generations;
    account.credits -= generation.cost;
    updateBalance(account.credits);
    await follow(generation);
  } catch (error) {
    const extra = error.code === "insufficient_credits" ? element("a", { href: "/account#billing-heading" }, " Buy credits") : "";
    say(message, error.message, "bad");
    if (extra) message.append(extra);
  } finally {
    button.disabled = false;
  }
}

account = await startPage();
if (!account) {
  location.assign(signInHref("/app"));
} else {
  await loadModels();
  wireDropzone();
  $("model").addEventListener("change", () => { fillAspectRatios(); references.splice(chosenModel().max_reference_images); renderReferences(); });
  $("quality").addEventListener("change", showCost);
  $("prompt").addEventListener("input", () => { $("prompt-count").textContent = String($("prompt").value.length); });
  $("generator").addEventListener("submit", submit);
  startGallery();
}

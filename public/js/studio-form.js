// The generator form's state: the models and their pickers (shape, quality with prices, image count), the price
// line, the request body, and Remix (a generation's settings put back in the form).
import { $, api, credits, currentBalance, element, onBalance, say } from "./common.js";
import { referenceFields, setReferences, trimReferences, useModel } from "./references.js";

let models = [];

export const chosenModel = () => models.find((m) => m.id === $("model").value);
const chosenQuality = () => (chosenModel()?.qualities?.length ? $("quality").value : undefined);
const chosenCount = () => Math.min(4, Math.max(1, Number($("count").value) || 1));
/** A quality may cost more than the model's base price (4K does upstream). */
const priceOf = (model, quality) => model.quality_credits?.[quality] ?? model.credits_per_image;

export function showCost() {
  const model = chosenModel();
  if (!model) return;
  const each = priceOf(model, chosenQuality());
  const n = chosenCount();
  const total = n > 1 ? `Costs ${credits(each * n)} (${n} × ${each})` : `Costs ${credits(each)}`;
  // The balance here is the same [data-balance] node kind as the header's, kept by common.js.
  $("cost").replaceChildren(`${total} · you have `, element("span", { "data-balance": "" }, credits(currentBalance() ?? 0)));
  const canReference = model.max_reference_images > 0;
  $("dropzone").classList.toggle("disabled", !canReference);
  $("dropzone").setAttribute("aria-disabled", String(!canReference));
  $("dropzone-help").textContent = canReference
    ? `Up to ${model.max_reference_images} images — PNG, JPEG or WebP, 10 MiB each, or an image from your gallery.`
    : `${model.name} does not take reference images.`;
}

function fillAspectRatios(wanted) {
  const model = chosenModel();
  const previous = wanted ?? $("aspect").value;
  $("aspect").replaceChildren(...model.aspect_ratios.map((ratio) => element("option", { value: ratio, selected: ratio === previous }, ratio)));
}

/** The quality select, shown only for models that have one, each with its price, starting at the documented default. */
function fillQualities(wanted) {
  const model = chosenModel();
  const qualities = model.qualities ?? [];
  const previous = wanted ?? $("quality").value;
  const pick = qualities.includes(previous) ? previous : (model.default_quality ?? qualities[0]);
  $("quality").replaceChildren(...qualities.map((q) => element("option", { value: q, selected: q === pick }, `${q} — ${credits(priceOf(model, q))}`)));
  $("quality-picker").hidden = qualities.length === 0;
}

function modelChanged({ aspect, quality } = {}) {
  fillAspectRatios(aspect);
  fillQualities(quality);
  trimReferences(chosenModel().max_reference_images);
  showCost();
}

export async function loadModels() {
  ({ models } = await api.get("/api/models"));
  useModel(chosenModel);
  $("model").replaceChildren(...models.map((m) => element("option", { value: m.id }, `${m.name} — ${credits(m.credits_per_image)}`)));
  modelChanged();
  $("model").addEventListener("change", () => modelChanged());
  $("quality").addEventListener("change", showCost);
  $("count").addEventListener("change", showCost);
  onBalance(showCost);
}

/** The POST /api/generations body; `n` and `reference_image_ids` only when used. */
export function requestBody() {
  const n = chosenCount();
  return {
    prompt: $("prompt").value,
    model: $("model").value,
    aspect_ratio: $("aspect").value,
    ...(chosenQuality() ? { quality: chosenQuality() } : {}),
    ...referenceFields(),
    ...(n > 1 ? { n } : {}),
  };
}

/** Remix: the generation's prompt, model, shape, quality and references back in the form, ready to edit. */
export function remix(generation) {
  const message = $("generator-message");
  if (!models.some((m) => m.id === generation.model)) {
    say(message, "That image's model is no longer offered; pick another model.", "bad");
  } else {
    $("model").value = generation.model;
    modelChanged({ aspect: generation.aspect_ratio, quality: generation.quality });
    say(message, "Remixing: change what you like and press Generate.", "ok");
  }
  $("prompt").value = generation.prompt;
  $("prompt").dispatchEvent(new Event("input"));
  // Older generations have no `references` in their view: their uploads cannot be shown again, so none are set.
  setReferences((generation.references ?? []).map((ref, i) => ({ id: ref.id, kind: ref.kind, url: ref.url, name: `reference ${i + 1}`, local: false })));
  $("prompt").focus();
  $("generator").scrollIntoView({ block: "nearest" });
}

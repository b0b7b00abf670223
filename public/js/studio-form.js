// The generator form's state: the models and their pickers (shape, quality, image count — named, never priced),
// the one total cost beside Generate with the balance, the request body, the form as a draft, and Remix (a
// generation's settings put back in the form).
import { $, api, credits, currentBalance, element, onBalance, say } from "./common.js";
import { referenceFields, referenceList, setReferences, showReferenceLimit, trimReferences, useModel } from "./references.js";

/** The link that buys credits and comes back here after paying. */
export const BUY_HREF = "/account?return_to=%2Fapp#billing-heading";
const DEFAULT_PROMPT_MAX = 4000;

let models = [];

export const chosenModel = () => models.find((m) => m.id === $("model").value);
const chosenQuality = () => (chosenModel()?.qualities?.length ? $("quality").value : undefined);
const chosenCount = () => Math.min(4, Math.max(1, Number($("count").value) || 1));
/** A quality may cost more than the model's base price (4K does upstream). */
const priceOf = (model, quality) => model.quality_credits?.[quality] ?? model.credits_per_image;

/** The one total: "4 credits" or "20 credits · 4 × 5", then the balance, or what to do when it is too low. */
export function showCost() {
  const model = chosenModel();
  if (!model) return;
  const each = priceOf(model, chosenQuality());
  const n = chosenCount();
  const total = each * n;
  const balance = currentBalance() ?? 0;
  const short = balance < total;
  // The balance here is the same [data-balance] node kind as the header's, kept by common.js.
  const have = element("span", { "data-balance": "" }, credits(balance));
  $("cost").classList.toggle("short", short);
  $("cost").replaceChildren(
    element("span", { id: "cost-total" }, element("strong", { class: "cost-total" }, credits(total)),
      n > 1 ? element("span", { class: "cost-detail" }, ` · ${n} × ${each}`) : ""),
    element("span", { class: "cost-balance" }, ...(short
      ? ["You have ", have, " — ", element("a", { href: BUY_HREF }, "Buy credits")]
      : ["You have ", have])));
}

function fillAspectRatios(wanted) {
  const model = chosenModel();
  const previous = wanted ?? $("aspect").value;
  $("aspect").replaceChildren(...model.aspect_ratios.map((ratio) => element("option", { value: ratio, selected: ratio === previous }, ratio)));
}

/** The quality select, shown only for models that have one, starting at the documented default. */
function fillQualities(wanted) {
  const model = chosenModel();
  const qualities = model.qualities ?? [];
  const previous = wanted ?? $("quality").value;
  const pick = qualities.includes(previous) ? previous : (model.default_quality ?? qualities[0]);
  $("quality").replaceChildren(...qualities.map((q) => element("option", { value: q, selected: q === pick }, q)));
  $("quality-picker").hidden = qualities.length === 0;
}

/** Some models take shorter prompts than the form's default. */
function fitPromptLength() {
  const max = chosenModel().max_prompt_chars ?? DEFAULT_PROMPT_MAX;
  $("prompt").maxLength = max;
  $("prompt-max").textContent = String(max);
}

function modelChanged({ aspect, quality } = {}) {
  fillAspectRatios(aspect);
  fillQualities(quality);
  fitPromptLength();
  trimReferences(chosenModel().max_reference_images);
  showReferenceLimit();
  showCost();
}

const formWatchers = new Set();
/** Called after every change the person (or Remix, or a restore) makes to the form. */
export const onFormChange = (watcher) => formWatchers.add(watcher);
const formChanged = () => { for (const watcher of formWatchers) watcher(); };

export async function loadModels() {
  ({ models } = await api.get("/api/models"));
  useModel(chosenModel);
  $("model").replaceChildren(...models.map((m) => element("option", { value: m.id }, m.name)));
  modelChanged();
  $("model").addEventListener("change", () => modelChanged());
  $("quality").addEventListener("change", showCost);
  $("count").addEventListener("change", showCost);
  $("generator").addEventListener("input", formChanged);
  $("generator").addEventListener("change", formChanged);
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

/** The form as the draft keeps it. */
export function formState() {
  return {
    prompt: $("prompt").value,
    model: $("model").value,
    aspect: $("aspect").value,
    quality: chosenQuality() ?? null,
    count: chosenCount(),
    references: referenceList(),
  };
}

function showPromptLength() {
  $("prompt-count").textContent = String($("prompt").value.length);
}

/** Puts a kept draft back; a model no longer offered keeps the default one, and settings it lacks are skipped. */
export function restoreForm(draft) {
  if (models.some((m) => m.id === draft.model)) $("model").value = draft.model;
  modelChanged({ aspect: draft.aspect ?? undefined, quality: draft.quality ?? undefined });
  if ([1, 2, 3, 4].includes(draft.count)) $("count").value = String(draft.count);
  $("prompt").value = typeof draft.prompt === "string" ? draft.prompt.slice(0, $("prompt").maxLength) : "";
  showPromptLength();
  setReferences(draft.references ?? []);
  showCost();
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
  $("prompt").dispatchEvent(new Event("input", { bubbles: true }));
  // Older generations have no `references` in their view: their uploads cannot be shown again, so none are set.
  setReferences((generation.references ?? []).map((ref, i) => ({ id: ref.id, kind: ref.kind, url: ref.url, name: `reference ${i + 1}` })));
  $("prompt").focus();
  $("generator").scrollIntoView({ block: "nearest" });
}

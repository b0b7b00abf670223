// The reference images for the next generation: uploaded files (sent as upload ids) and earlier results (sent as
// image ids: the image already stored is used, nothing is uploaded again), shown as chips in the prompt box with
// their upload progress and errors, the drop target, and the model's limit.
import { $, api, element, say } from "./common.js";
import { confirmAction } from "./confirm-dialog.js";
import { previewUrl } from "./images.js";
import { toast } from "./toast.js";
import { uploadWithProgress } from "./upload.js";

/** The drag type gallery and result tiles carry: JSON { id, url, generation_id }. */
const IMAGE_DRAG_TYPE = "application/x-gptimg-image";
/** Longest side of the thumbnail kept for an upload (the chip shows it at 56 px; 2× for sharp screens). */
const THUMB_PX = 112;

/** Lets a finished image be dragged onto the prompt box (or anywhere that takes a link) as a reference. */
export function makeDraggable(node, generation, image) {
  const url = previewUrl(image);
  node.draggable = true;
  node.addEventListener("dragstart", (event) => {
    event.dataTransfer.setData(IMAGE_DRAG_TYPE, JSON.stringify({ id: image.id, url, generation_id: generation.id }));
    event.dataTransfer.setData("text/uri-list", new URL(url, location.href).href);
    event.dataTransfer.effectAllowed = "copy";
  });
}

const references = []; // { id, kind: "upload" | "image", url, name }
const uploading = []; // { name, thumb, percent } while the bytes go up
let modelOf = () => null;
const changeWatchers = new Set();

/** Tells this module where to read the chosen model (its name and max_reference_images). */
export const useModel = (chosenModel) => { modelOf = chosenModel; };

/** Called after every change of the list (the draft keeps it). */
export const onReferencesChange = (watcher) => changeWatchers.add(watcher);

const message = () => $("reference-message");

/** What the request carries: upload ids and image ids, each only when there are some. */
export function referenceFields() {
  const uploads = references.filter((r) => r.kind === "upload").map((r) => r.id);
  const images = references.filter((r) => r.kind === "image").map((r) => r.id);
  return { reference_upload_ids: uploads, ...(images.length ? { reference_image_ids: images } : {}) };
}

/** The chosen references as the draft keeps them. */
export const referenceList = () => references.map(({ id, kind, url, name }) => ({ id, kind, url, name }));

function changed() {
  renderReferences();
  for (const watcher of changeWatchers) watcher();
}

function drop(ref) {
  const index = references.indexOf(ref);
  if (index >= 0) references.splice(index, 1);
  changed();
}

/** Deletes an uploaded reference from storage for good (after a confirmation), not only from the next request. */
async function deleteUpload(ref) {
  const sure = await confirmAction({
    title: `Delete ${ref.name}?`,
    body: `Delete ${ref.name} from your stored uploads for good? Generations already made with it keep their results.`,
    action: "Delete upload",
  });
  if (!sure) return;
  try {
    await api.request(`/api/uploads/${encodeURIComponent(ref.id)}`, { method: "DELETE" });
  } catch (error) {
    // Already gone is what was asked for.
    if (error.status !== 404) { say(message(), `${ref.name}: ${error.message}`, "bad"); return; }
  }
  drop(ref);
  say(message(), `Deleted ${ref.name}.`, "ok");
}

const TRASH_ICON = '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><path fill="currentColor" d="M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h2v-8h-2z"/></svg>';

function chip(ref, index) {
  const trash = element("button", { type: "button", class: "chip-delete", "aria-label": `Delete ${ref.name} from your uploads`, title: "Delete from your uploads", onclick: () => deleteUpload(ref) });
  trash.innerHTML = TRASH_ICON;
  return element("li", { class: `chip chip-${ref.kind}` },
    element("img", { src: ref.url, alt: `Reference ${index + 1}: ${ref.name}`, width: "56", height: "56", onerror: (event) => event.target.classList.add("broken") }),
    element("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${ref.name}`, title: "Remove from this image", onclick: () => drop(ref) }, "×"),
    ...(ref.kind === "upload" ? [trash] : []));
}

function pendingChip(upload) {
  upload.bar = element("span", { class: "chip-progress", role: "progressbar", "aria-label": `Uploading ${upload.name}`, "aria-valuemin": "0", "aria-valuemax": "100" }, element("span"));
  showProgress(upload);
  return element("li", { class: "chip chip-pending" },
    upload.thumb ? element("img", { src: upload.thumb, alt: "", width: "56", height: "56" }) : element("span", { class: "chip-blank" }),
    upload.bar);
}

function showProgress(upload) {
  upload.bar.setAttribute("aria-valuenow", String(upload.percent));
  upload.bar.firstChild.style.width = `${upload.percent}%`;
}

export function renderReferences() {
  $("references").replaceChildren(...references.map(chip), ...uploading.map(pendingChip));
}

/** Keeps at most what the (newly chosen) model takes. */
export function trimReferences(max) {
  const removed = references.splice(max).length;
  if (removed) changed(); else renderReferences();
}

/** Replaces the list (Remix puts a generation's references back; the draft restores its own). */
export function setReferences(list) {
  references.splice(0, references.length, ...list);
  trimReferences(modelOf()?.max_reference_images ?? 0);
  changed();
}

/** Room for one more under the chosen model's limit, or why not. */
function whyNoRoom(extra = 0) {
  const model = modelOf();
  if (!model || model.max_reference_images === 0) return `${model?.name ?? "This model"} does not take reference images; choose another model to use one.`;
  if (references.length + uploading.length + extra >= model.max_reference_images) {
    return `${model.name} takes at most ${model.max_reference_images} reference images; remove one to add another.`;
  }
  return null;
}

/** Adds an earlier image by id (no upload); returns what to tell the person and how. */
function addImage({ id, url, name }) {
  if (references.some((r) => r.id === id)) return { text: "That image is already a reference.", tone: "ok", added: true };
  const refusal = whyNoRoom();
  if (refusal) return { text: refusal, tone: "bad", added: false };
  references.push({ id, kind: "image", url, name });
  changed();
  return { text: "Added as a reference", tone: "ok", added: true };
}

/** "Use as reference" from a result tile or the detail view: the eye is there, so the toast says what happened. */
export function addImageReference({ id, url, name = "an earlier image" }) {
  const outcome = addImage({ id, url, name });
  toast(outcome.text, outcome.tone);
  return outcome;
}

/** A small JPEG of the file for its chip and the draft (an object URL would not survive a reload). */
async function thumbnailOf(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, THUMB_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = element("canvas", { width: String(Math.max(1, Math.round(bitmap.width * scale))), height: String(Math.max(1, Math.round(bitmap.height * scale))) });
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL("image/jpeg", 0.8);
  } catch {
    return null; // not an image the browser can read; the server says what is wrong with it
  }
}

async function addFiles(files) {
  for (const file of files) {
    const refusal = whyNoRoom();
    if (refusal) { say(message(), refusal, "bad"); return; }
    const upload = { name: file.name, thumb: await thumbnailOf(file), percent: 0 };
    uploading.push(upload);
    renderReferences();
    say(message(), `Uploading ${file.name}…`);
    try {
      const uploaded = await uploadWithProgress(file, (percent) => { upload.percent = percent; showProgress(upload); });
      uploading.splice(uploading.indexOf(upload), 1);
      references.push({ id: uploaded.id, kind: "upload", url: upload.thumb ?? "", name: file.name });
      changed();
      say(message(), `Added ${file.name}.`, "ok");
    } catch (error) {
      uploading.splice(uploading.indexOf(upload), 1);
      renderReferences();
      say(message(), `${file.name}: ${error.message} Choose another file to try again.`, "bad");
    }
  }
}

/** The drag data of a gallery or result tile, if that is what was dropped. */
function droppedImage(dataTransfer) {
  if (!dataTransfer.types.includes(IMAGE_DRAG_TYPE)) return null;
  try {
    const { id, url } = JSON.parse(dataTransfer.getData(IMAGE_DRAG_TYPE));
    return typeof id === "string" && id.startsWith("img_") ? { id, url, name: "a gallery image" } : null;
  } catch {
    return null;
  }
}

/** Images and files may be dropped anywhere on the prompt box; dragged text still goes into the prompt. */
const carriesImages = (dataTransfer) => dataTransfer.types.includes(IMAGE_DRAG_TYPE) || dataTransfer.types.includes("Files");

/** Shows whether the chosen model takes references at all, and how many. */
export function showReferenceLimit() {
  const model = modelOf();
  if (!model) return;
  const canReference = model.max_reference_images > 0;
  $("dropzone").classList.toggle("disabled", !canReference);
  $("dropzone").setAttribute("aria-disabled", String(!canReference));
  $("dropzone-help").textContent = canReference
    ? `Up to ${model.max_reference_images} reference images (PNG, JPEG or WebP, 10 MiB each). Drop files or gallery images on the prompt.`
    : `${model.name} does not take reference images.`;
}

export function wireDropzone() {
  const box = $("prompt-box");
  const input = $("reference-input");
  $("dropzone").addEventListener("click", () => {
    const refusal = whyNoRoom();
    if (refusal) say(message(), refusal, "bad"); else input.click();
  });
  input.addEventListener("change", () => { addFiles([...input.files]); input.value = ""; });
  box.addEventListener("dragover", (event) => {
    if (!carriesImages(event.dataTransfer)) return;
    event.preventDefault();
    box.classList.add("over");
  });
  box.addEventListener("dragleave", (event) => { if (!box.contains(event.relatedTarget)) box.classList.remove("over"); });
  box.addEventListener("drop", (event) => {
    box.classList.remove("over");
    if (!carriesImages(event.dataTransfer)) return;
    event.preventDefault();
    const image = droppedImage(event.dataTransfer);
    if (image) {
      const outcome = addImage(image);
      say(message(), outcome.text === "Added as a reference" ? "Added a gallery image as a reference." : outcome.text, outcome.tone);
    } else {
      addFiles([...event.dataTransfer.files]);
    }
  });
}

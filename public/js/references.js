// The reference images for the next generation: uploaded files (sent as upload ids) and earlier results (sent as
// image ids: the image already stored is used, nothing is uploaded again), the drop zone, and the model's limit.
import { $, api, element, say } from "./common.js";
import { previewUrl } from "./images.js";

/** The drag type gallery and result tiles carry: JSON { id, url, generation_id }. */
const IMAGE_DRAG_TYPE = "application/x-gptimg-image";

/** Lets a finished image be dragged onto the drop zone (or anywhere that takes a link) as a reference. */
export function makeDraggable(node, generation, image) {
  const url = previewUrl(image);
  node.draggable = true;
  node.addEventListener("dragstart", (event) => {
    event.dataTransfer.setData(IMAGE_DRAG_TYPE, JSON.stringify({ id: image.id, url, generation_id: generation.id }));
    event.dataTransfer.setData("text/uri-list", new URL(url, location.href).href);
    event.dataTransfer.effectAllowed = "copy";
  });
}

const references = []; // { id, kind: "upload" | "image", url, name, local }
let modelOf = () => null;

/** Tells this module where to read the chosen model (its name and max_reference_images). */
export const useModel = (chosenModel) => { modelOf = chosenModel; };

const message = () => $("generator-message");

/** What the request carries: upload ids and image ids, each only when there are some. */
export function referenceFields() {
  const uploads = references.filter((r) => r.kind === "upload").map((r) => r.id);
  const images = references.filter((r) => r.kind === "image").map((r) => r.id);
  return { reference_upload_ids: uploads, ...(images.length ? { reference_image_ids: images } : {}) };
}

function forget(ref) {
  if (ref.local) URL.revokeObjectURL(ref.url);
}

function drop(ref) {
  const index = references.indexOf(ref);
  if (index >= 0) references.splice(index, 1);
  forget(ref);
  renderReferences();
}

/** Deletes an uploaded reference from storage for good (after a confirmation), not only from the next request. */
async function deleteUpload(ref) {
  if (!confirm(`Delete ${ref.name} from your stored uploads for good? Generations already made with it keep their results.`)) return;
  try {
    await api.request(`/api/uploads/${encodeURIComponent(ref.id)}`, { method: "DELETE" });
    drop(ref);
    say(message(), `Deleted ${ref.name}.`, "ok");
  } catch (error) {
    say(message(), `${ref.name}: ${error.message}`, "bad");
  }
}

export function renderReferences() {
  $("references").replaceChildren(...references.map((ref, index) => element("li", {},
    element("img", { src: ref.url, alt: `Reference ${index + 1}: ${ref.name}` }),
    element("button", { type: "button", class: "remove", "aria-label": `Remove ${ref.name}`, onclick: () => drop(ref) }, "×"),
    ...(ref.kind === "upload"
      ? [element("button", { type: "button", class: "delete", "aria-label": `Delete ${ref.name} from your uploads`, onclick: () => deleteUpload(ref) }, "Delete")]
      : []))));
}

/** Keeps at most what the (newly chosen) model takes. */
export function trimReferences(max) {
  references.splice(max).forEach(forget);
  renderReferences();
}

/** Replaces the list (Remix puts a generation's references back). */
export function setReferences(list) {
  references.splice(0).forEach(forget);
  references.push(...list);
  trimReferences(modelOf()?.max_reference_images ?? 0);
}

/** Room for one more under the chosen model's limit, or says why not. */
function roomForOne() {
  const model = modelOf();
  if (!model || model.max_reference_images === 0) {
    say(message(), `${model?.name ?? "This model"} does not take reference images; choose another model to use one.`, "bad");
    return false;
  }
  if (references.length >= model.max_reference_images) {
    say(message(), `${model.name} takes at most ${model.max_reference_images} reference images; remove one to add another.`, "bad");
    return false;
  }
  return true;
}

/** "Use as reference": an image of an earlier generation, by id (no upload). */
export function addImageReference({ id, url, name = "an earlier image" }) {
  if (references.some((r) => r.id === id)) {
    say(message(), "That image is already a reference.", "ok");
    return true;
  }
  if (!roomForOne()) return false;
  references.push({ id, kind: "image", url, name, local: false });
  renderReferences();
  say(message(), `Added ${name} as a reference.`, "ok");
  return true;
}

async function addFiles(files) {
  for (const file of files) {
    if (!roomForOne()) return;
    say(message(), `Uploading ${file.name}…`);
    try {
      const uploaded = await api.request("/api/uploads", { method: "POST", raw: file });
      references.push({ id: uploaded.id, kind: "upload", url: URL.createObjectURL(file), name: file.name, local: true });
      renderReferences();
      say(message(), "");
    } catch (error) {
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

export function wireDropzone() {
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
    const image = droppedImage(event.dataTransfer);
    if (image) addImageReference(image);
    else if (!zone.classList.contains("disabled")) addFiles([...event.dataTransfer.files]);
  });
}

// The viewer's words about one generation: its recipe (model, shape, quality, images, cost, created), what became of
// it when it did not simply work (said plainly, with the refund), and the references it was made from.
import { $, credits, element } from "./common.js";

const shapeWord = (w, h) => (w > h ? "landscape" : w < h ? "portrait" : "square");
const when = (ms) => new Date(ms).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

export function showRecipe(generation) {
  const image = generation.images[0];
  const [w, h] = image ? [image.width, image.height] : generation.aspect_ratio.split(":").map(Number);
  const facts = [
    ["Model", generation.model_name ?? generation.model],
    ["Shape", `${generation.aspect_ratio} ${shapeWord(w, h)}${image ? ` · ${image.width} × ${image.height} px` : ""}`],
  ];
  if (generation.quality) facts.push(["Quality", generation.quality.toUpperCase()]);
  facts.push(["Images", image ? `${generation.images.length}` : "None"]);
  facts.push(["Cost", generation.status === "failed" ? `${credits(generation.cost)}, refunded` : credits(generation.cost)]);
  facts.push(["Created", when(generation.created_at)]);
  $("detail-facts").replaceChildren(...facts.flatMap(([k, v]) => [element("dt", {}, k), element("dd", {}, v)]));
}

/** Failures and unfinished work said plainly; nothing at all for an image that simply worked. */
export function showOutcome(generation) {
  const node = $("detail-outcome");
  let text = "";
  if (generation.status === "failed") {
    const said = generation.failure?.message ?? "The image service could not make this image.";
    text = `This image could not be made. ${said}${said.includes("refunded") ? "" : ` Your ${credits(generation.cost)} were refunded.`}`;
  } else if (generation.in_progress) {
    text = "Still generating: it appears in your gallery when it is done.";
  }
  node.textContent = text;
  node.hidden = !text;
}

export function showReferences(generation) {
  const used = generation.references ?? [];
  $("detail-references-section").hidden = !used.length;
  $("detail-references").replaceChildren(...used.map((ref, index) => element("li", {},
    element("img", { src: ref.url, alt: `Reference ${index + 1} (${ref.kind === "upload" ? "an uploaded image" : "an earlier result"})`, width: "72", height: "72", loading: "lazy" }))));
}

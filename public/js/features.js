// What the server's API offers, learnt from the generation views it sends (fields newer versions add), so a
// control appears only when the server can do what it asks: image counts (`batch_id`), image references
// (`reference_image_ids`), share pages with the prompt choice (`share_shows_prompt`).
export const features = { batches: false, imageReferences: false, sharePages: false };

export function learnFrom(view) {
  if (!view || typeof view !== "object") return;
  features.batches ||= "batch_id" in view;
  features.imageReferences ||= "reference_image_ids" in view;
  features.sharePages ||= "share_shows_prompt" in view;
  const picker = document.getElementById("count-picker");
  if (picker) picker.hidden = !features.batches;
}

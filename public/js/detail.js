// The detail dialog of one generation: its image and facts, download, share or stop sharing, delete.
import { $, api, credits, day, element, say } from "./common.js";
import { removeFromGallery } from "./gallery.js";
import { downloadName, showMedium } from "./images.js";

export async function openDetail(generation) {
  const dialog = $("detail");
  const message = $("detail-message");
  say(message, "");
  const image = generation.images[0];
  if (image) showMedium($("detail-image"), image, generation.prompt);
  else $("detail-image").removeAttribute("src");
  $("detail-image").hidden = !image;
  $("detail-prompt").textContent = generation.prompt;
  const facts = [["Model", generation.model_name ?? generation.model], ["Shape", generation.aspect_ratio], ...(generation.quality ? [["Quality", generation.quality]] : []), ["Cost", credits(generation.cost)],
    ["Created", day(generation.created_at)], ["Status", generation.failure ? `${generation.status} — ${generation.failure.message}` : generation.status]];
  if (image) facts.push(["Size", `${image.width} × ${image.height}`]);
  $("detail-facts").replaceChildren(...facts.flatMap(([k, v]) => [element("dt", {}, k), element("dd", {}, v)]));
  const shareUrl = image?.share_url;
  $("detail-share").replaceChildren(...(shareUrl ? ["Public link: ", element("a", { href: shareUrl, id: "share-link" }, shareUrl)] : []));
  const refresh = async () => openDetail(await api.get(`/api/generations/${generation.id}`));
  const actions = [];
  if (image) actions.push(element("a", { class: "button", href: image.url, download: downloadName(generation, image) }, "Download"));
  if (generation.status === "succeeded") {
    actions.push(generation.shared
      ? element("button", { class: "button-quiet", type: "button", onclick: async () => { await api.request(`/api/generations/${generation.id}/share`, { method: "DELETE" }); await refresh(); say(message, "The public link no longer works.", "ok"); } }, "Stop sharing")
      : element("button", { class: "button-quiet", type: "button", onclick: async () => {
        const shared = await api.post(`/api/generations/${generation.id}/share`);
        await navigator.clipboard?.writeText(shared.images[0].share_url).catch(() => null);
        openDetail(shared);
        say(message, "Anyone with the link can now see this image.", "ok");
      } }, "Share"));
  }
  if (generation.status === "succeeded" || generation.status === "failed") {
    actions.push(element("button", { class: "button-danger", type: "button", onclick: async () => {
      if (!confirm("Delete this image for good?")) return;
      try {
        await api.request(`/api/generations/${generation.id}`, { method: "DELETE" });
        removeFromGallery(generation.id);
        dialog.close();
      } catch (error) { say(message, error.message, "bad"); }
    } }, "Delete"));
  }
  $("detail-actions").replaceChildren(...actions);
  if (!dialog.open) dialog.showModal();
}

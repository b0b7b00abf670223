// The detail dialog of one generation: its image and facts, download, remix, use as reference, share (with or
// without the prompt) or stop sharing, delete. Escape closes it (a native <dialog>).
import { $, api, credits, day, element, say, short } from "./common.js";
import { removeFromGallery } from "./gallery.js";
import { downloadName, previewUrl, showMedium } from "./images.js";
import { addImageReference } from "./references.js";
import { remix } from "./studio-form.js";

/** The share control: whether the share page shows the prompt, the share page's URL and the image's link. */
function shareBlock(generation, image, message) {
  const block = [];
  const share = async (showPrompt) => {
    try {
      const shared = await api.post(`/api/generations/${generation.id}/share`, { show_prompt: showPrompt });
      const link = shared.share_page_url ?? shared.images[0]?.share_url;
      await navigator.clipboard?.writeText(link).catch(() => null);
      await openDetail(shared);
      say($("detail-message"), showPrompt
        ? "Anyone with the link can now see this image and its prompt."
        : "Anyone with the link can now see this image (not its prompt).", "ok");
    } catch (error) {
      say(message, `${error.message} Try again in a moment.`, "bad");
    }
  };
  const shown = element("input", { type: "checkbox", id: "share-show-prompt", checked: Boolean(generation.share_shows_prompt) });
  shown.addEventListener("change", () => { if (generation.shared) share(shown.checked); });
  block.push(element("div", { class: "check" }, shown, element("label", { for: "share-show-prompt" }, "Show the prompt on the share page")));
  if (generation.shared) {
    if (generation.share_page_url) block.push(element("p", {}, "Share page: ", element("a", { href: generation.share_page_url, id: "share-page-link" }, generation.share_page_url)));
    if (image?.share_url) block.push(element("p", {}, "Image link: ", element("a", { href: image.share_url, id: "share-link" }, image.share_url)));
  }
  return { block, share: () => share(shown.checked) };
}

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
  const refresh = async () => openDetail(await api.get(`/api/generations/${generation.id}`));
  const sharing = generation.status === "succeeded" ? shareBlock(generation, image, message) : null;
  $("detail-share").replaceChildren(...(sharing?.block ?? []));
  const actions = [];
  if (image) actions.push(element("a", { class: "button", href: image.url, download: downloadName(generation, image) }, "Download"));
  actions.push(element("button", { class: "button-quiet", type: "button", onclick: () => { dialog.close(); remix(generation); } }, "Remix"));
  if (image) {
    actions.push(element("button", { class: "button-quiet", type: "button", onclick: () => {
      if (addImageReference({ id: image.id, url: previewUrl(image), name: `“${short(generation.prompt)}”` })) dialog.close();
      else say(message, $("generator-message").textContent, "bad");
    } }, "Use as reference"));
  }
  if (sharing) {
    actions.push(generation.shared
      ? element("button", { class: "button-quiet", type: "button", onclick: async () => { await api.request(`/api/generations/${generation.id}/share`, { method: "DELETE" }); await refresh(); say(message, "The public link no longer works.", "ok"); } }, "Stop sharing")
      : element("button", { class: "button-quiet", type: "button", onclick: sharing.share }, "Share"));
  }
  if (generation.status === "succeeded" || generation.status === "failed") {
    actions.push(element("button", { class: "button-danger", type: "button", onclick: async () => {
      if (!confirm("Delete this image for good?")) return;
      try {
        await api.request(`/api/generations/${generation.id}`, { method: "DELETE" });
        removeFromGallery(generation.id);
        document.querySelector(`#results [data-id="${generation.id}"]`)?.remove();
        dialog.close();
      } catch (error) { say(message, `${error.message} Try again in a moment.`, "bad"); }
    } }, "Delete"));
  }
  $("detail-actions").replaceChildren(...actions);
  if (!dialog.open) dialog.showModal();
}

// The viewer's sharing: whether the share page shows the prompt, the link in one read-only line, open it, stop
// sharing. "Copy link" (an action of the viewer) shares first when the image is not shared yet.
import { $, api, element, say } from "./common.js";

const shareUrl = (generation) => `/api/generations/${generation.id}/share`;

/** Shares `generation` (showing the prompt or not) and returns it as it now is. */
export const share = (generation, showPrompt) => api.post(shareUrl(generation), { show_prompt: showPrompt });

export async function stopSharing(generation) {
  await api.request(shareUrl(generation), { method: "DELETE" });
  return api.get(`/api/generations/${generation.id}`);
}

/** Whether the next share shows the prompt: the box as the person left it. */
export const showsPrompt = () => Boolean($("share-show-prompt")?.checked);

/** Fills the sharing section for a finished generation; `changed(updated)` is told of every change made here. */
export function renderShare(generation, changed) {
  const section = $("detail-share");
  section.hidden = generation.status !== "succeeded";
  if (section.hidden) { section.replaceChildren(); return; }
  const message = $("detail-message");
  const image = generation.images[0];
  const box = element("input", { type: "checkbox", id: "share-show-prompt", checked: Boolean(generation.share_shows_prompt) });
  box.addEventListener("change", async () => {
    if (!generation.shared) return;
    try {
      changed(await share(generation, box.checked));
      say(message, box.checked ? "The share page now shows the prompt." : "The share page no longer shows the prompt.", "ok");
    } catch (error) {
      box.checked = !box.checked;
      say(message, `${error.message} Try again in a moment.`, "bad");
    }
  });
  const parts = [
    element("h3", { id: "detail-share-heading", class: "viewer-subheading" }, "Sharing"),
    element("p", { class: "muted viewer-share-state" }, generation.shared
      ? (generation.share_shows_prompt ? "Anyone with the link can see this image and its prompt." : "Anyone with the link can see this image (not its prompt).")
      : "Not shared. Copy link makes a public link that only people you give it to will know."),
    element("div", { class: "check" }, box, element("label", { for: "share-show-prompt" }, "Show the prompt on the share page")),
  ];
  if (generation.shared && generation.share_page_url) {
    const stop = element("button", { class: "button-quiet button-small", type: "button" }, "Stop sharing");
    stop.addEventListener("click", async () => {
      stop.disabled = true;
      try {
        changed(await stopSharing(generation));
        say(message, "The public link no longer works.", "ok");
      } catch (error) {
        stop.disabled = false;
        say(message, `${error.message} Try again in a moment.`, "bad");
      }
    });
    parts.push(
      element("label", { for: "share-url", class: "visually-hidden" }, "Share page link"),
      element("input", { id: "share-url", class: "viewer-share-url", type: "text", readonly: true, value: generation.share_page_url, onfocus: (event) => event.target.select() }),
      element("div", { class: "row viewer-share-links" },
        element("a", { href: generation.share_page_url, id: "share-page-link", target: "_blank", rel: "noopener" }, "Open share page"),
        image?.share_url ? element("a", { href: image.share_url, id: "share-link", target: "_blank", rel: "noopener" }, "Image only") : null,
        stop));
  }
  section.replaceChildren(...parts);
}

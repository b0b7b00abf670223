// The admin console's "Featured on the landing page": feature a shared image by its share link, see what the landing
// page shows now (only images still shared), take one off.
import { $, api, element, say } from "./common.js";

const message = () => $("featured-message");

function show({ images, max }) {
  $("featured-count").textContent = `${images.length} of ${max} featured. With none, the landing page shows its drawings.`;
  $("featured-list").replaceChildren(...images.map((image) => {
    const remove = element("button", { class: "button-quiet", type: "button" }, "Remove");
    remove.setAttribute("aria-label", `Remove featured image ${image.generation_id}`);
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      try {
        show(await api.request(`/api/admin/featured/${encodeURIComponent(image.generation_id)}`, { method: "DELETE" }));
        say(message(), "Removed from the landing page.", "ok");
      } catch (error) {
        say(message(), error.message, "bad");
        remove.disabled = false;
      }
    });
    return element("li", { class: "featured-item" },
      element("img", { src: image.preview_url, width: image.width, height: image.height, alt: image.prompt ?? "A shared image (its prompt is not shown)" }),
      element("div", { class: "featured-facts" },
        element("a", { href: image.share_page_url }, "Share page"),
        element("span", { class: "muted" }, image.prompt ? `“${image.prompt}”` : "Prompt not shown by its owner"),
        remove));
  }));
}

export async function loadFeatured() {
  show(await api.get("/api/admin/featured"));
}

$("feature-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("feature-link");
  const button = event.target.querySelector("button");
  button.disabled = true;
  say(message(), "Featuring…");
  try {
    show(await api.post("/api/admin/featured", { share_link: input.value }));
    input.value = "";
    say(message(), "Featured: the landing page shows it now.", "ok");
  } catch (error) {
    say(message(), error.message, "bad");
  } finally {
    button.disabled = false;
  }
});

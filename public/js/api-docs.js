// The API reference (/docs/api): the account header, and a Copy button on every example.
import { element, startPage } from "./common.js";

startPage();

for (const pre of document.querySelectorAll(".api-example pre")) {
  const caption = pre.closest("figure")?.querySelector("figcaption")?.textContent ?? "example";
  const button = element("button", { type: "button", class: "button-quiet button-small api-copy", "aria-label": `Copy the ${caption} example` }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(pre.textContent);
      button.textContent = "Copied";
    } catch {
      // Without clipboard access, select the text so the usual copy shortcut works.
      getSelection().selectAllChildren(pre);
      button.textContent = "Selected — press Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  });
  pre.before(button);
}

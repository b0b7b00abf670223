// The app's own confirmation dialog (instead of the browser's confirm()): a modal <dialog> with a title, what will
// happen, and two buttons; Escape or Cancel answers no. Resolves true only when the action button is pressed.
import { element } from "./common.js";

let counter = 0;

/** Asks before something that cannot be undone; `danger` styles the action button as destructive. */
export function confirmAction({ title, body, action = "Delete", cancel = "Cancel", danger = true }) {
  return new Promise((resolve) => {
    const id = `confirm-${++counter}`;
    const yes = element("button", { class: danger ? "button-danger" : "button", type: "button", value: "yes" }, action);
    const no = element("button", { class: "button-quiet", type: "button", value: "no" }, cancel);
    const dialog = element("dialog", { class: "confirm-dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-body` },
      element("h2", { id: `${id}-title` }, title),
      element("p", { id: `${id}-body` }, body),
      element("div", { class: "row confirm-actions" }, no, yes));
    let answer = false;
    yes.addEventListener("click", () => { answer = true; dialog.close(); });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    no.focus(); // the safe answer has the focus, so a stray Enter deletes nothing
  });
}

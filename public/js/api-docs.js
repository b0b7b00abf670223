// The API reference (/docs/api): the account header, the contents (always open beside the page on a wide screen, a
// collapsible bar on a phone that closes once a link is chosen), and a Copy button on every example.
import { element, startPage } from "./common.js";

startPage();

const contents = document.getElementById("api-toc");
const wide = matchMedia("(min-width: 64rem)");
const fitContents = () => { contents.open = wide.matches; };
fitContents();
wide.addEventListener("change", fitContents);
contents.addEventListener("click", (event) => {
  if (!wide.matches && event.target.closest("a")) contents.open = false;
});

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

// Each operation's three examples become tabs (one language shown at a time), and the language chosen is shown
// everywhere: a phone reads one example per operation instead of three.
const tabSets = [];
function showLanguage(index) {
  for (const { tabs, panels } of tabSets) {
    tabs.forEach((tab, i) => {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
  }
}
for (const group of document.querySelectorAll(".api-examples")) {
  const panels = [...group.querySelectorAll(".api-example")];
  if (panels.length < 2) continue;
  const tabs = panels.map((panel, i) => {
    const caption = panel.querySelector("figcaption");
    const id = `${panel.querySelector("pre").id}-tab`;
    caption.classList.add("visually-hidden");
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", id);
    const tab = element("button", { type: "button", role: "tab", id, class: "api-tab", "aria-controls": panel.id || (panel.id = `${id}-panel`) }, caption.textContent);
    tab.addEventListener("click", () => showLanguage(i));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = (i + step + panels.length) % panels.length;
      showLanguage(next);
      tabSets.find((set) => set.tabs.includes(tab)).tabs[next].focus();
    });
    return tab;
  });
  group.prepend(element("div", { role: "tablist", class: "api-tabs", "aria-label": "Example language" }, ...tabs));
  tabSets.push({ tabs, panels });
}
showLanguage(0);

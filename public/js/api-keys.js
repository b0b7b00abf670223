// The account page's API keys card: create a key (its secret shown once, with Copy), list, revoke with confirmation.
import { $, api, day, element, say } from "./common.js";

const when = (ms) => (ms === null ? "never" : day(ms));

function showNewKey(created) {
  $("new-key").hidden = false;
  const value = $("new-key-value");
  value.value = created.key;
  value.focus();
  value.select();
  say($("copy-message"), "");
}

function hideNewKey() {
  $("new-key").hidden = true;
  $("new-key-value").value = "";
}

async function copyKey() {
  const value = $("new-key-value");
  value.select();
  try {
    await navigator.clipboard.writeText(value.value);
    say($("copy-message"), "Copied.", "ok");
  } catch {
    say($("copy-message"), "Copying was blocked: the key is selected, copy it with your keyboard.", "bad");
  }
}

async function revoke(key, button) {
  if (!confirm(`Revoke the key "${key.name}"? Anything using it stops working at once.`)) return;
  button.disabled = true;
  try {
    await api.request(`/api/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
    say($("key-message"), `Revoked "${key.name}".`, "ok");
    await render();
  } catch (error) {
    say($("key-message"), error.message, "bad");
    button.disabled = false;
  }
}

function row(key) {
  const button = element("button", { class: "button-quiet", type: "button", "aria-label": `Revoke ${key.name}` }, "Revoke");
  button.addEventListener("click", () => revoke(key, button));
  return element("li", {},
    element("div", { class: "key-info" },
      element("span", { class: "key-name" }, key.name), " ", element("code", {}, `${key.prefix}…`),
      element("span", { class: "key-dates" }, `Created ${day(key.created_at)} · last used ${when(key.last_used_at)}`)),
    button);
}

async function render() {
  const { keys, max_keys: max } = await api.get("/api/keys");
  $("key-list").replaceChildren(...keys.map(row));
  $("keys-empty").hidden = keys.length > 0;
  const full = keys.length >= max;
  $("keys-limit").hidden = !full;
  $("keys-limit").textContent = full ? `You have the most keys an account can have (${max}). Revoke one to create another.` : "";
  $("key-form").querySelector("button").disabled = full;
}

/** Shows the card for the signed-in user. */
export async function showApiKeys() {
  $("keys-card").hidden = false;
  $("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.currentTarget.querySelector("button");
    if (!$("key-name").value.trim()) {
      say($("key-message"), "Give the key a name of 1 to 64 characters, so you can tell it apart later.", "bad");
      $("key-name").focus();
      return;
    }
    button.disabled = true;
    hideNewKey();
    say($("key-message"), "Creating…");
    try {
      const created = await api.post("/api/keys", { name: $("key-name").value });
      $("key-name").value = "";
      say($("key-message"), `Created "${created.name}".`, "ok");
      showNewKey(created);
      await render();
    } catch (error) {
      say($("key-message"), error.message, "bad");
      button.disabled = false;
    }
  });
  $("copy-key").addEventListener("click", copyKey);
  await render();
}

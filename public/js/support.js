// The support form: signed-in users write under their account; visitors give an email address.
import { $, api, say, startPage } from "./common.js";

const account = await startPage();
$("email-field").hidden = Boolean(account);
$("support-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("support-form").querySelector("button");
  button.disabled = true;
  say($("support-result"), "Sending…");
  try {
    const sent = await api.post("/api/support", {
      ...(account ? {} : { email: $("support-email").value }),
      subject: $("support-subject").value,
      message: $("support-message").value,
    });
    say($("support-result"), `Thanks — we will reply to ${sent.email}.`, "ok");
    $("support-subject").value = "";
    $("support-message").value = "";
  } catch (error) {
    say($("support-result"), error.message, "bad");
  } finally {
    button.disabled = false;
  }
});

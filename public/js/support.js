// The support form: signed-in users write under their account; visitors give an email address.
import { $, api, onSubmit, startPage } from "./common.js";

const account = await startPage();
$("email-field").hidden = Boolean(account);
onSubmit($("support-form"), $("support-result"), "Sending…", async () => {
  const sent = await api.post("/api/support", {
    ...(account ? {} : { email: $("support-email").value }),
    subject: $("support-subject").value,
    message: $("support-message").value,
  });
  $("support-subject").value = "";
  $("support-message").value = "";
  return `Thanks — we will reply to ${sent.email}.`;
});

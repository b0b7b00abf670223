// The studio page: starts generations from the form (several may run at once; the button stays usable), says
// what to do next when one cannot start (credits, rate limit, connection), keeps the form as a draft, and the
// first-time and checkout notes.
import { $, api, credits, element, refreshBalance, say, setBalance, signInHref, startPage } from "./common.js";
import { forgetCheckout, paymentLanded } from "./checkout.js";
import { openDetail } from "./detail.js";
import { keepDraft, restorableDraft } from "./draft.js";
import { startGallery } from "./gallery.js";
import { onReferencesChange, wireDropzone } from "./references.js";
import { announce, showRecentJobs, startRuns } from "./runs.js";
import { prepareToasts } from "./toast.js";
import { BUY_HREF, formState, loadModels, onFormChange, requestBody, restoreForm } from "./studio-form.js";

let sending = false;
let countdown = null;

function sayRateLimited(error) {
  const message = $("generator-message");
  clearInterval(countdown);
  const until = Date.now() + (error.retryAfter ?? 5) * 1000;
  const update = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(countdown);
      say(message, "You can generate again now.", "ok");
    } else {
      say(message, `${error.message} You can try again in ${left} s (at ${new Date(until).toLocaleTimeString()}).`, "bad");
    }
  };
  update();
  countdown = setInterval(update, 1000);
}

function sayCannotStart(error) {
  const message = $("generator-message");
  if (error.code === "insufficient_credits") {
    say(message, `${error.message} `, "bad");
    message.append(element("a", { href: BUY_HREF }, "Buy credits"), " — you come back here after paying.");
  } else if (error.status === 429) {
    sayRateLimited(error);
  } else if (!error.status) {
    say(message, "We could not reach GPTImg. Check your connection and press Generate again.", "bad");
  } else if (error.status >= 500) {
    say(message, `${error.message} Nothing was charged; please try again in a moment.`, "bad");
  } else {
    say(message, `${error.message} Change it and press Generate again.`, "bad");
  }
  announce("Not started.");
  // Pressed from the phone's fixed bar, the message may be off screen: bring it up (its scroll margin clears the bar).
  message.scrollIntoView({ block: "nearest" });
}

async function submit(event) {
  event.preventDefault();
  if (sending) return; // one click is one request; the next click can follow as soon as this one is admitted
  const message = $("generator-message");
  if (!$("prompt").value.trim()) {
    say(message, "Describe your image first, then press Generate.", "bad");
    $("prompt").focus();
    return;
  }
  sending = true;
  clearInterval(countdown);
  say(message, "");
  say($("checkout-note"), ""); // the payment is old news once the next image starts
  try {
    const answer = await api.post("/api/generations", requestBody());
    // The 202 is { generations, cost, credits }: the balance after the debit, and one generation per image.
    setBalance(answer.credits);
    startRuns(answer.generations);
  } catch (error) {
    sayCannotStart(error);
  } finally {
    sending = false;
  }
}

/** Back from Stripe Checkout started here: the new balance if it has landed already, else a note until it does. */
async function checkoutReturn(account) {
  const params = new URLSearchParams(location.search);
  const outcome = params.get("checkout");
  if (!outcome) return;
  history.replaceState(null, "", "/app");
  // At the top of the form: on screen at every width when the page loads.
  const message = $("checkout-note");
  if (outcome === "cancelled") {
    forgetCheckout();
    say(message, "Checkout cancelled — nothing was charged. Your prompt and settings are as you left them.");
    return;
  }
  if (outcome !== "success") return;
  const confirmed = (landed) => say(message, `Payment confirmed — you now have ${credits(landed.credits)}. Go ahead and generate.`, "ok");
  const { confirmed: already, later } = paymentLanded(account, refreshBalance);
  if (already) { confirmed(already); return; }
  say(message, "Payment received — thank you! Your new credits join your balance as soon as Stripe confirms the payment.", "ok");
  const landed = await later;
  if (landed) confirmed(landed);
}

/** The draft this tab kept for this account, put back, then kept up to date with every change. */
async function restoreAndKeepDraft(account) {
  const draft = await restorableDraft(account.id);
  if (draft) restoreForm(draft);
  const kept = keepDraft(account.id, formState);
  onFormChange(kept.schedule);
  onReferencesChange(kept.schedule);
  if (draft) kept.flush(); // without the references deleted meanwhile
}

prepareToasts();
const account = await startPage();
if (!account) {
  location.assign(signInHref("/app"));
} else {
  await loadModels();
  wireDropzone();
  await restoreAndKeepDraft(account);
  $("prompt").addEventListener("input", () => { $("prompt-count").textContent = String($("prompt").value.length); });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      $("generator").requestSubmit();
    }
  });
  $("generator").addEventListener("submit", submit);
  startGallery({ open: openDetail });
  showRecentJobs(); // or, for an account with nothing yet, the first-time hint
  checkoutReturn(account);
}

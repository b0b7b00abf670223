// The studio page: starts generations from the form (several may run at once; the button stays usable), says
// what to do next when one cannot start (credits, rate limit, connection), and the first-time and checkout notes.
import { $, api, credits, currentBalance, element, refreshBalance, say, setBalance, signInHref, startPage } from "./common.js";
import { startGallery } from "./gallery.js";
import { wireDropzone } from "./references.js";
import { announce, showRecentJobs, startRuns } from "./runs.js";
import { loadModels, requestBody } from "./studio-form.js";

/** The link that buys credits and comes back here after paying. */
const BUY_HREF = "/account?return_to=%2Fapp#billing-heading";
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

/** Back from Stripe Checkout started here: say so and show the new balance once the payment lands. */
async function checkoutReturn() {
  const params = new URLSearchParams(location.search);
  const outcome = params.get("checkout");
  if (!outcome) return;
  history.replaceState(null, "", "/app");
  const message = $("generator-message");
  if (outcome === "cancelled") {
    say(message, "Checkout cancelled — nothing was charged. You can buy credits any time from your account.");
    return;
  }
  if (outcome !== "success") return;
  // The webhook may have landed before this page loaded, so no change may follow: the first sentence stands alone.
  say(message, "Payment received — thank you! Your new credits join your balance as soon as Stripe confirms the payment.", "ok");
  const before = currentBalance();
  for (let attempt = 0; attempt < 15; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const account = await refreshBalance().catch(() => null);
    if (account && account.credits !== before) {
      say(message, `Payment confirmed — you now have ${credits(account.credits)}. Go ahead and generate.`, "ok");
      return;
    }
  }
}

const account = await startPage();
if (!account) {
  location.assign(signInHref("/app"));
} else {
  await loadModels();
  wireDropzone();
  $("prompt").addEventListener("input", () => { $("prompt-count").textContent = String($("prompt").value.length); });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      $("generator").requestSubmit();
    }
  });
  $("generator").addEventListener("submit", submit);
  startGallery();
  showRecentJobs(); // or, for an account with nothing yet, the first-time hint
  checkoutReturn();
}

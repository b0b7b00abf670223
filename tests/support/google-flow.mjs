// Drives a whole Google sign-in over HTTP: Worker start -> stand-in Google's approve form -> Worker callback.

/** Cookies set by a response, as name -> { value, attributes (lower-cased) }. */
export function setCookies(response) {
  const cookies = new Map();
  for (const header of response.headers.getSetCookie()) {
    const [pair, ...attributes] = header.split(";").map((part) => part.trim());
    const index = pair.indexOf("=");
    cookies.set(pair.slice(0, index), { value: pair.slice(index + 1), attributes: attributes.map((a) => a.toLowerCase()), raw: header });
  }
  return cookies;
}

export async function count(db, table, where = "1 = 1", ...params) {
  return db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).bind(...params).first("n");
}

/**
 * Signs in through the stand-in. Options pick the identity and the stand-in's token `scenario`.
 * Returns { start, callback, callbackPath, oauthCookie, session } where `session` is the session cookie value or null.
 */
export async function signIn(worker, { email = "ada@gptimg.test", name = "Ada Lovelace", scenario = "normal", sub, returnTo, consent = true } = {}) {
  const query = returnTo === undefined ? "" : `?return_to=${encodeURIComponent(returnTo)}`;
  const start = await worker.fetch(`/auth/google/start${query}`);
  const oauthCookie = setCookies(start).get("gptimg_oauth")?.value;
  const authorize = new URL(start.headers.get("location"));
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), name, email, scenario, ...(sub ? { sub } : {}) });
  const approve = await fetch(new URL("approve", authorize), { method: "POST", body: form, redirect: "manual" });
  const callbackUrl = new URL(approve.headers.get("location"));
  const callbackPath = callbackUrl.pathname + callbackUrl.search;
  const callback = await worker.fetch(callbackPath, { headers: { cookie: `gptimg_oauth=${oauthCookie}` } });
  const session = setCookies(callback).get("gptimg_session")?.value || null;
  if (session && consent) await acceptTerms(worker, session);
  return { start, callback, callbackPath, oauthCookie, session, authorize };
}

export const TERMS_VERSION = "2026-04-22";

/** Accepts the current terms and confirms the minimum age, as the first-sign-in dialog does. */
export async function acceptTerms(worker, session) {
  const response = await worker.fetch("/api/me/consent", {
    method: "POST",
    headers: { cookie: `gptimg_session=${session}`, origin: worker.url, "content-type": "application/json" },
    body: JSON.stringify({ terms_version: TERMS_VERSION, age_confirmed: true }),
  });
  if (response.status !== 200) throw new Error(`consent failed: ${response.status} ${await response.text()}`);
}

/** Headers for a same-origin API call carrying `session`. */
export function asUser(worker, session, extra = {}) {
  return { cookie: `gptimg_session=${session}`, origin: worker.url, ...extra };
}

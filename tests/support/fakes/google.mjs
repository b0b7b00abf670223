// Stand-in for Google sign-in: an authorize page (pick a test identity or type one), a token endpoint that
// issues real RS256 ID tokens (single-use codes, PKCE checked), a JWKS endpoint, and avatar images.
// A `scenario` chosen on the authorize page makes the token endpoint misbehave the way tests need.
import crypto from "node:crypto";
import { sendJson } from "./server.mjs";
import { encodePng, coloursFor } from "./png.mjs";

export const SCENARIOS = {
  normal: "Normal sign-in",
  bad_signature: "ID token with a bad signature",
  unknown_kid: "ID token signed by an unknown key",
  wrong_aud: "ID token for another app (wrong aud)",
  wrong_iss: "ID token from another issuer (wrong iss)",
  expired: "Expired ID token",
  wrong_nonce: "ID token with the wrong nonce",
  email_unverified: "Email address not verified",
  alg_none: "Unsigned ID token (alg none)",
  alg_hs256: "HS256 token signed with the public key (key confusion)",
  token_endpoint_down: "Token endpoint answers 503",
  token_endpoint_hangs: "Token endpoint never answers",
};

const TEST_IDENTITIES = [
  { name: "Ada Lovelace", email: "ada@gptimg.test" },
  { name: "Grace Hopper", email: "grace@gptimg.test" },
  { name: "GPTImg Admin", email: "admin@gptimg.test" },
];

const b64url = (data) => Buffer.from(data).toString("base64url");

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** A stable numeric subject per email, like Google's `sub`. */
export function subjectFor(email) {
  const digest = crypto.createHash("sha256").update(email.toLowerCase()).digest();
  return "1" + BigInt("0x" + digest.subarray(0, 8).toString("hex")).toString().padStart(20, "0").slice(0, 20);
}

export function createGoogle({ clientSecret, baseUrl }) {
  const signingKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rogueKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const KID = "fake-google-key-1";
  const codes = new Map();
  const state = { tokenRequests: 0, tokenRequestIds: [], jwksRequests: 0, hanging: new Set() };

  function signJwt(header, claims, privateKey) {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
  }

  function idTokenFor(grant) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: "https://accounts.google.com", aud: grant.clientId, azp: grant.clientId, sub: grant.sub,
      email: grant.email, email_verified: true, name: grant.name,
      picture: `${baseUrl()}/google/avatar/${encodeURIComponent(grant.email)}.png`,
      nonce: grant.nonce, iat: now, exp: now + 3600,
    };
    const header = { alg: "RS256", kid: KID, typ: "JWT" };
    switch (grant.scenario) {
      case "bad_signature": return signJwt(header, claims, rogueKey.privateKey);
      case "unknown_kid": return signJwt({ ...header, kid: "not-a-google-key" }, claims, rogueKey.privateKey);
      case "wrong_aud": return signJwt(header, { ...claims, aud: "someone-else.apps.googleusercontent.com" }, signingKey.privateKey);
      case "wrong_iss": return signJwt(header, { ...claims, iss: "https://evil.example" }, signingKey.privateKey);
      case "expired": return signJwt(header, { ...claims, iat: now - 7200, exp: now - 3600 }, signingKey.privateKey);
      case "wrong_nonce": return signJwt(header, { ...claims, nonce: "not-the-nonce" }, signingKey.privateKey);
      case "email_unverified": return signJwt(header, { ...claims, email_verified: false }, signingKey.privateKey);
      case "alg_none": return `${b64url(JSON.stringify({ alg: "none", kid: KID }))}.${b64url(JSON.stringify(claims))}.`;
      case "alg_hs256": {
        const input = `${b64url(JSON.stringify({ alg: "HS256", kid: KID }))}.${b64url(JSON.stringify(claims))}`;
        const secret = signingKey.publicKey.export({ type: "spki", format: "pem" });
        return `${input}.${crypto.createHmac("sha256", secret).update(input).digest("base64url")}`;
      }
      default: return signJwt(header, claims, signingKey.privateKey);
    }
  }

  function authorizePage(url) {
    const params = url.searchParams;
    const hidden = ["client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method"]
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? "")}">`).join("");
    const identities = TEST_IDENTITIES.map((who) =>
      `<form method="post" action="approve">${hidden}<input type="hidden" name="name" value="${escapeHtml(who.name)}">` +
      `<input type="hidden" name="email" value="${escapeHtml(who.email)}"><input type="hidden" name="scenario" value="normal">` +
      `<button type="submit">${escapeHtml(who.name)} <small>${escapeHtml(who.email)}</small></button></form>`).join("");
    const options = Object.entries(SCENARIOS).map(([k, v]) => `<option value="${k}">${escapeHtml(v)}</option>`).join("");
    const cancel = new URL(params.get("redirect_uri") ?? "about:blank");
    cancel.searchParams.set("error", "access_denied");
    cancel.searchParams.set("state", params.get("state") ?? "");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – Google (local stand-in)</title><style>
body{font-family:system-ui,sans-serif;background:#f1f3f4;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;padding:2rem;max-width:26rem;width:calc(100% - 2rem);box-shadow:0 1px 3px #0003}
h1{font-size:1.3rem;margin:0 0 .25rem}p{color:#5f6368;margin:0 0 1.25rem}
button{display:block;width:100%;text-align:left;padding:.75rem 1rem;margin:.4rem 0;border:1px solid #dadce0;border-radius:8px;background:#fff;font-size:1rem;cursor:pointer}
button:hover{background:#f8f9fa}small{color:#5f6368;display:block}label{display:block;margin:.6rem 0 .2rem;font-size:.9rem}
input[type=text],input[type=email],select{width:100%;padding:.55rem;border:1px solid #dadce0;border-radius:6px;font-size:1rem;box-sizing:border-box}
fieldset{border:1px solid #dadce0;border-radius:8px;margin-top:1rem}.primary{background:#1a73e8;color:#fff;text-align:center}
</style></head><body><main><h1>Choose an account</h1><p>Local stand-in for Google sign-in. No real Google account is used.</p>
${identities}
<form method="post" action="approve">${hidden}<fieldset><legend>Or sign in as anyone</legend>
<label for="name">Name</label><input id="name" name="name" type="text" required value="Test Person">
<label for="email">Email</label><input id="email" name="email" type="email" required value="person@gptimg.test">
<label for="scenario">Token behaviour</label><select id="scenario" name="scenario">${options}</select>
<button class="primary" type="submit">Continue</button></fieldset></form>
<p style="margin-top:1rem"><a href="${escapeHtml(cancel.toString())}">Cancel</a></p></main></body></html>`;
  }

  function approve(res, form) {
    const redirectUri = form.get("redirect_uri");
    if (!form.get("client_id") || !redirectUri) return sendJson(res, 400, { error: "invalid_request" });
    const code = crypto.randomBytes(16).toString("hex");
    const email = form.get("email");
    codes.set(code, {
      clientId: form.get("client_id"), redirectUri, codeChallenge: form.get("code_challenge"), nonce: form.get("nonce"),
      name: form.get("name"), email, sub: form.get("sub") || subjectFor(email), scenario: form.get("scenario") || "normal", used: false,
    });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    target.searchParams.set("state", form.get("state") ?? "");
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  function token(req, res, form) {
    state.tokenRequests++;
    state.tokenRequestIds.push(req.headers["x-request-id"] ?? null);
    const grant = codes.get(form.get("code"));
    if (grant?.scenario === "token_endpoint_down") return sendJson(res, 503, { error: "temporarily_unavailable" });
    // Holds the connection open without a byte of answer (closed when the stand-ins stop).
    if (grant?.scenario === "token_endpoint_hangs") return state.hanging.add(res);
    if (form.get("grant_type") !== "authorization_code" || !grant) return sendJson(res, 400, { error: "invalid_grant" });
    if (grant.used) return sendJson(res, 400, { error: "invalid_grant", error_description: "code already used" });
    grant.used = true;
    if (form.get("client_id") !== grant.clientId || form.get("client_secret") !== clientSecret) {
      return sendJson(res, 401, { error: "invalid_client" });
    }
    if (form.get("redirect_uri") !== grant.redirectUri) return sendJson(res, 400, { error: "invalid_grant", error_description: "redirect_uri mismatch" });
    const challenge = crypto.createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
    if (challenge !== grant.codeChallenge) return sendJson(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    sendJson(res, 200, { access_token: crypto.randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 3599,
      scope: "openid email profile", id_token: idTokenFor(grant) });
  }

  return {
    prefix: "/google",
    state,
    async handle(req, res, url, body) {
      const path = url.pathname.slice("/google".length);
      const form = new URLSearchParams(body.toString());
      if (req.method === "GET" && path === "/o/oauth2/v2/auth") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end(authorizePage(url));
      }
      if (req.method === "POST" && path === "/o/oauth2/v2/approve") return approve(res, form);
      if (req.method === "POST" && path === "/token") return token(req, res, form);
      if (req.method === "GET" && path === "/oauth2/v3/certs") {
        state.jwksRequests++;
        const jwk = signingKey.publicKey.export({ format: "jwk" });
        return sendJson(res, 200, { keys: [{ ...jwk, kid: KID, alg: "RS256", use: "sig" }] });
      }
      if (req.method === "GET" && path.startsWith("/avatar/")) {
        const [a, b] = coloursFor(decodeURIComponent(path));
        res.writeHead(200, { "content-type": "image/png" });
        return res.end(encodePng(64, 64, (x, y) => (x + y < 64 ? a : b)));
      }
      sendJson(res, 404, { error: "not_found" });
    },
  };
}

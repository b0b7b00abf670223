// Local stand-ins for Google, Stripe and APIPod: one loopback HTTP server, each service under its own prefix.
import http from "node:http";
import { createApipod } from "./apipod.mjs";
import { createGoogle } from "./google.mjs";
import { createStripe } from "./stripe.mjs";

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/**
 * Starts the stand-ins on 127.0.0.1 (port 0 picks a free one). Each service is `{ prefix, handle(req, res, url, body) }`.
 * `secrets` are the Worker's, so the stand-ins can check them as the real services would; `plans` is its PLANS
 * JSON and `appUrl` its origin (where Stripe sends webhooks). `apipodImages: "small"` makes APIPod's results
 * 256 px instead of their real size. Resolves to `{ url, google, stripe, apipod, close }`.
 */
export async function startFakes({ port = 0, secrets, plans, appUrl, apipodImages = "real" }) {
  let baseUrl = "";
  const google = createGoogle({ clientSecret: secrets.GOOGLE_CLIENT_SECRET, baseUrl: () => baseUrl });
  const stripe = createStripe({
    secretKey: secrets.STRIPE_SECRET_KEY, webhookSecret: secrets.STRIPE_WEBHOOK_SECRET, plans,
    baseUrl: () => baseUrl, webhookUrl: () => `${appUrl()}/webhooks/stripe`,
  });
  const apipod = createApipod({ apiKey: secrets.APIPOD_API_KEY, baseUrl: () => baseUrl, images: apipodImages });
  const services = [google, stripe, apipod];
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      const body = await readBody(req);
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204);
        return res.end();
      }
      if (url.pathname === "/__health") {
        return sendJson(res, 200, { ok: true, services: services.map((s) => s.prefix) });
      }
      const service = services.find((s) => url.pathname.startsWith(s.prefix + "/"));
      if (!service) return sendJson(res, 404, { error: "no such stand-in endpoint", path: url.pathname });
      await service.handle(req, res, url, body);
    } catch (error) {
      sendJson(res, 500, { error: String(error?.message ?? error) });
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: actualPort } = server.address();
  baseUrl = `http://127.0.0.1:${actualPort}`;
  return {
    url: baseUrl,
    google,
    stripe,
    apipod,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

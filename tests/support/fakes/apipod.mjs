// Stand-in for APIPod: accepts generation and edit tasks (fetching reference images through the Worker's signed
// links, as APIPod does), renders a real PNG from the prompt after a short delay, and misbehaves on request:
// a prompt containing [apipod:MODE] makes it fail, cancel, stall, answer 500 on submit, hang (timeout),
// answer malformed JSON, give a result URL that 404s, or give bytes that are not an image.
import crypto from "node:crypto";
import { sendJson } from "./server.mjs";
import { encodePng, coloursFor } from "./png.mjs";

const SIZES = { "1:1": [256, 256], "4:3": [256, 192], "3:4": [192, 256], "16:9": [256, 144], "9:16": [144, 256] };

export function renderPrompt(prompt, aspectRatio) {
  const [width, height] = SIZES[aspectRatio] ?? [256, 256];
  const [a, b] = coloursFor(prompt);
  return encodePng(width, height, (x, y) => {
    const t = (x / width + y / height) / 2;
    return a.map((channel, i) => Math.round(channel * (1 - t) + b[i] * t));
  });
}

export function createApipod({ apiKey, baseUrl, delayMs = 250 }) {
  const state = { tasks: new Map(), submissions: [], statusRequests: 0, hanging: new Set() };

  async function submit(req, res, body, kind) {
    let input;
    try {
      input = JSON.parse(body.toString());
    } catch {
      return sendJson(res, 400, { error: "invalid JSON" });
    }
    const mode = /\[apipod:(\w+)\]/.exec(input.prompt ?? "")?.[1] ?? "normal";
    const submission = { kind, input, mode, references: [] };
    state.submissions.push(submission);
    if (mode === "submit500") return sendJson(res, 500, { error: "internal error" });
    if (mode === "timeout") {
      state.hanging.add(res);
      return;
    }
    if (!input.model || !input.prompt) return sendJson(res, 400, { error: "model and prompt are required" });
    for (const url of input.image_urls ?? []) {
      const response = await fetch(url);
      const bytes = Buffer.from(await response.arrayBuffer());
      submission.references.push({ url, status: response.status, bytes });
      if (response.status !== 200) return sendJson(res, 400, { error: `could not fetch image ${url}` });
    }
    const id = `task_${crypto.randomBytes(8).toString("hex")}`;
    const task = { id, input, mode, createdAt: Date.now(), png: renderPrompt(input.prompt, input.aspect_ratio) };
    state.tasks.set(id, task);
    sendJson(res, 200, { task_id: id, status: "pending" });
  }

  function status(res, id) {
    state.statusRequests++;
    const task = state.tasks.get(id);
    if (!task) return sendJson(res, 404, { error: "no such task" });
    const ready = Date.now() - task.createdAt >= delayMs;
    if (task.mode === "malformed" && ready) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"status": "completed", "result": {"images": [');
    }
    if (task.mode === "stall" || !ready) return sendJson(res, 200, { task_id: id, status: "processing" });
    if (task.mode === "fail") return sendJson(res, 200, { task_id: id, status: "failed", error: "content policy violation" });
    if (task.mode === "cancel") return sendJson(res, 200, { task_id: id, status: "cancelled" });
    sendJson(res, 200, { task_id: id, status: "completed", result: { images: [{ url: `${baseUrl()}/apipod/results/${id}/0.png` }] } });
  }

  function result(res, id) {
    const task = state.tasks.get(id);
    if (!task || task.mode === "result404") return sendJson(res, 404, { error: "not found" });
    if (task.mode === "notimage") {
      res.writeHead(200, { "content-type": "image/png" });
      return res.end("<html><body>Gateway error</body></html>");
    }
    res.writeHead(200, { "content-type": "image/png", "content-length": task.png.length });
    res.end(task.png);
  }

  return {
    prefix: "/apipod",
    state,
    async handle(req, res, url, body) {
      const path = url.pathname.slice("/apipod".length);
      if (path.startsWith("/v1/") && req.headers.authorization !== `Bearer ${apiKey}`) return sendJson(res, 401, { error: "invalid api key" });
      if (req.method === "POST" && path === "/v1/images/generations") return submit(req, res, body, "generations");
      if (req.method === "POST" && path === "/v1/images/edits") return submit(req, res, body, "edits");
      let match = path.match(/^\/v1\/images\/status\/([\w-]+)$/);
      if (req.method === "GET" && match) return status(res, match[1]);
      match = path.match(/^\/results\/([\w-]+)\/0\.png$/);
      if (req.method === "GET" && match) return result(res, match[1]);
      sendJson(res, 404, { error: "no such stand-in endpoint" });
    },
  };
}

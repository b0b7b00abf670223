// Stand-in for APIPod, speaking only its documented shapes (tests/contracts/apipod/, see its README): submit
// through POST /v1/images/generations (edits are the `-edit` model + image_urls, fetched as APIPod does),
// Idempotency-Key honoured, GET /v1/images/status/{id}, a callback POSTed to callback_url, a real PNG as the
// result. A prompt containing [apipod:MODE] makes it misbehave; the modes are listed in README.md
// ("## Generating images") and in MODES below. Every JSON answer and callback is kept in `state.answers`
// so tests can check its shape against the fixtures. Results are PNGs at the real size of the requested quality
// and aspect ratio (apipod-images.mjs); `images: "small"` makes them 256 px for tests that only need an image.
import crypto from "node:crypto";
import { padPng } from "./png.mjs";
import { resultPng } from "./apipod-images.mjs";

/** The prompt switches: what each one makes the stand-in do. */
export const MODES = {
  fail: "the task fails with error_code + error_message (text with control characters)",
  fail_legacy: "the task fails with the legacy `error` string",
  fail_every_second: "of the tasks started for the same prompt, the 2nd, 4th, ... fail as `fail` does (a batch of which only some images come back)",
  cancel: "the task is cancelled",
  stall: "the task stays processing",
  malformed: "the status answer is broken JSON once the task is done",
  result404: "the result URL answers 404",
  notimage: "the result URL answers bytes that are not an image",
  submit500: "submit answers 500 internal_error",
  submit429: "the first submit answers 429 with Retry-After: 2",
  poll429: "the first status read answers 429 with Retry-After: 3 (and no callback is sent, so polling finds it)",
  conflict: "submit answers 409 idempotency_conflict",
  timeout: "submit never answers",
  hang_once: "the first submit starts the task but answers only after 9 s (past the Worker's timeout)",
  drop_once: "the first submit starts the task, then drops the connection without an answer",
  code0: "submit answers the older success envelope with code 0",
  nocallback: "no callback is sent (polling only)",
  callback_twice: "the callback is delivered twice",
  callback_early: "a forged 'completed' callback arrives while the task is still processing (it then stalls)",
  two_results: "the completed task's `result` array holds two image URLs (more than one image paid for)",
  slow_result: "the result URL sends its PNG in pieces over 3 s",
  big_result: "the result is a 24 MiB PNG (a large ancillary chunk), sent in 1 MiB pieces with Content-Length",
  big_chunked: "the same 24 MiB PNG sent without Content-Length (chunked transfer coding, as a CDN may)",
  submit400: "submit answers 400 invalid_parameter (the documented example): a permanent refusal",
  submit503: "the first submit answers 503 idempotency_unavailable (standard envelope, no task started)",
  submit504: "the first submit starts the task but answers 504 (an edge timeout while APIPod went on): a retry with the same Idempotency-Key replays its id",
  callback_late: "the callback is delivered long after completion ([apipod-callback-delay:MS], default 5 s), so polling finds it first",
  trickle_result: "the result URL sends its headers and first bytes, then one byte a second, never finishing",
  trickle_once: "the first download of the result trickles as trickle_result does; later ones are served at once",
};

// Besides the modes, [apipod-delay:MS] sets how long the task takes (default 250 ms), e.g. for the benchmark, and
// [apipod-submit-delay:MS] how long submit takes to answer (a slow APIPod), and [apipod-callback-delay:MS] how
// long after completion `callback_late` delivers its callback.

// Documented models (contract §2), with their resolution values, the documented default one, and whether
// image_urls are required.
const MODELS = {
  "nano-banana-2": { qualities: ["512px", "1K", "2K", "4K"], quality: "1K", edit: false, maxImages: 14 },
  "nano-banana-pro": { qualities: ["1K", "2K", "4K"], quality: "1K", edit: false, maxImages: 8 },
  "seedream-v4.5": { qualities: ["2K", "4K"], quality: "2K", edit: false, maxImages: 0 },
  "seedream-v4.5-edit": { qualities: ["2K", "4K"], quality: "2K", edit: true, maxImages: 14 },
  "seedream-5.0-lite": { qualities: ["2K", "3K"], quality: "2K", edit: false, maxImages: 0 },
  "seedream-5.0-lite-edit": { qualities: ["2K", "3K"], quality: "2K", edit: true, maxImages: 14 },
};

// The two documented error envelopes.
const openAiError = (message, code, type = "invalid_request_error") => ({ error: { message, type, code } });
const codeError = (status, message, type, errorCode) => ({ code: status, message, data: { type, error_code: errorCode } });

export function createApipod({ apiKey, baseUrl, delayMs = 250, images = "real" }) {
  const state = {
    tasks: new Map(), submissions: [], statusRequests: [], callbacks: [], answers: [], idempotency: new Map(),
    hanging: new Set(), delayMs, firstSeen: new Set(), resultRequests: [], resultsSent: [], startedPerPrompt: new Map(), resultsCut: [],
  };

  function send(res, status, value, kind, headers = {}) {
    state.answers.push({ kind, status, body: value });
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
  }
  const once = (key) => !state.firstSeen.has(key) && state.firstSeen.add(key);

  async function deliverCallback(task, payload) {
    state.answers.push({ kind: "callback", body: payload });
    for (let attempt = 0; attempt < 5; attempt++) {
      const delivery = { taskId: task.id, payload, at: Date.now(), status: 0, body: null };
      state.callbacks.push(delivery);
      try {
        const response = await fetch(task.input.callback_url, {
          method: "POST", headers: { "content-type": "application/json", "user-agent": "APIPod-Callback/1.0" }, body: JSON.stringify(payload),
        });
        // Body first: a reader that sees the status set also sees what the Worker answered.
        delivery.body = await response.json().catch(() => null);
        delivery.status = response.status;
        if (response.ok) return;
      } catch (error) {
        delivery.error = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }

  function callbackPayload(task) {
    const base = { task_id: task.id, request_id: `req_${task.id.slice(5)}`, status: task.final };
    const times = { created_at: new Date(task.createdAt).toISOString(), completed_at: new Date(task.completedAt ?? Date.now()).toISOString() };
    if (task.final === "completed") return { ...base, result: resultUrls(task), ...times };
    return { ...base, error: "Content policy violation: the prompt was refused.", error_code: "CONTENT_POLICY", ...times };
  }

  function finish(task) {
    task.completedAt = Date.now();
    task.state = task.final;
    if (!task.input.callback_url || ["nocallback", "poll429"].includes(task.mode) || !["completed", "failed"].includes(task.final)) return;
    if (task.mode === "callback_late") {
      const late = Number(/\[apipod-callback-delay:(\d+)\]/.exec(task.input.prompt)?.[1] ?? 5000);
      return setTimeout(() => deliverCallback(task, callbackPayload(task)), late);
    }
    deliverCallback(task, callbackPayload(task)).then(() => task.mode === "callback_twice" && deliverCallback(task, callbackPayload(task)));
  }

  function startTask(input, mode) {
    const id = `task_${crypto.randomBytes(8).toString("hex")}`;
    const started = (state.startedPerPrompt.get(input.prompt) ?? 0) + 1;
    state.startedPerPrompt.set(input.prompt, started);
    if (mode === "fail_every_second" && started % 2 === 0) mode = "fail";
    const final = { fail: "failed", fail_legacy: "failed", cancel: "cancelled", stall: "processing", callback_early: "processing" }[mode] ?? "completed";
    const task = { id, input, mode, final, state: "pending", createdAt: Date.now(), png: null };
    if (final === "completed") {
      const quality = input.quality ?? MODELS[input.model].quality;
      // Rendered while the task "runs"; `task.png` is set once ready (the result URL waits for it).
      task.rendering = resultPng(input.prompt, quality, input.aspect_ratio, { small: images === "small" }).then((png) => (task.png = png));
    }
    state.tasks.set(id, task);
    const delay = Number(/\[apipod-delay:(\d+)\]/.exec(input.prompt)?.[1] ?? state.delayMs);
    // Completed only once its image exists, as upstream: a large render never makes the result URL slow to answer.
    if (final !== "processing") Promise.all([new Promise((resolve) => setTimeout(resolve, delay)), task.rendering]).then(() => finish(task));
    if (mode === "callback_early" && input.callback_url) {
      // Shortly after the submit answer, so the Worker already knows the task: a callback it must not trust.
      setTimeout(() => deliverCallback(task, callbackPayload({ ...task, final: "completed" })), 150);
    }
    return task;
  }

  function validate(input) {
    const model = MODELS[input.model];
    if (!model) return [404, codeError(404, `Model ${input.model} is not available`, "invalid_request_error", "model_not_available")];
    if (typeof input.prompt !== "string" || !input.prompt) return [400, openAiError("prompt is required", "invalid_request")];
    const urls = input.image_urls ?? [];
    if (model.edit && urls.length === 0) return [400, openAiError("image_urls is required for this model", "invalid_request")];
    if (urls.length > model.maxImages) return [400, openAiError("too many image_urls", "invalid_request")];
    if (input.quality !== undefined && !model.qualities.includes(input.quality)) return [400, openAiError("Invalid quality value", "invalid_request")];
    return null;
  }

  async function submit(req, res, raw) {
    let input;
    try {
      input = JSON.parse(raw.toString());
    } catch {
      return send(res, 400, openAiError("The request body is not valid JSON", "invalid_request"), "error");
    }
    const mode = /\[apipod:(\w+)\]/.exec(input.prompt ?? "")?.[1] ?? "normal";
    const key = req.headers["idempotency-key"];
    const submission = { input, mode, idempotencyKey: key, requestId: req.headers["x-request-id"] ?? null, userAgent: req.headers["user-agent"], references: [], at: Date.now() };
    state.submissions.push(submission);
    const submitDelay = Number(/\[apipod-submit-delay:(\d+)\]/.exec(input.prompt ?? "")?.[1] ?? 0);
    if (submitDelay) await new Promise((resolve) => setTimeout(resolve, submitDelay));
    const remembered = key && state.idempotency.get(key);
    if (remembered) {
      if (remembered.body !== raw.toString()) return send(res, 409, openAiError("Idempotency-Key reused with a different body", "idempotency_conflict"), "error");
      if (!remembered.answer) return send(res, 409, openAiError("A request with this Idempotency-Key is in progress", "idempotency_in_progress"), "error");
      submission.replayed = true;
      return send(res, remembered.answer.status, remembered.answer.body, "submit");
    }
    if (mode === "conflict") return send(res, 409, openAiError("Idempotency-Key reused with a different body", "idempotency_conflict"), "error");
    if (mode === "submit500") return send(res, 500, openAiError("Internal error", "internal_error", "server_error"), "error");
    if (mode === "submit400") return send(res, 400, openAiError("Invalid aspect_ratio value", "invalid_parameter"), "error");
    if (mode === "submit503" && once(input.prompt)) {
      return send(res, 503, codeError(503, "Idempotency protection is temporarily unavailable", "server_error", "idempotency_unavailable"), "error");
    }
    if (mode === "submit429" && once(input.prompt)) {
      return send(res, 429, codeError(429, "Rate limit exceeded", "rate_limit_error", "rate_limit_exceeded"), "error", { "retry-after": "2" });
    }
    if (mode === "timeout") return state.hanging.add(res);
    const invalid = validate(input);
    if (invalid) return send(res, invalid[0], invalid[1], "error");
    const record = { body: raw.toString(), answer: null };
    if (key) state.idempotency.set(key, record);
    for (const url of input.image_urls ?? []) {
      const response = await fetch(url);
      const bytes = Buffer.from(await response.arrayBuffer());
      submission.references.push({ url, status: response.status, bytes });
      if (response.status !== 200) {
        if (key) state.idempotency.delete(key);
        return send(res, 400, openAiError(`Could not fetch image ${url}`, "invalid_request"), "error");
      }
    }
    const task = startTask(input, mode);
    submission.taskId = task.id;
    record.answer = { status: 200, body: { code: mode === "code0" ? 0 : 200, message: "success", data: { task_id: task.id } } };
    if (mode === "drop_once" && once(input.prompt)) return res.socket.destroy();
    if (mode === "submit504" && once(input.prompt)) return send(res, 504, codeError(504, "Upstream timeout", "server_error", "internal_error"), "error");
    if (mode === "hang_once" && once(input.prompt)) {
      const answer = record.answer;
      record.answer = null; // in flight until it answers
      state.hanging.add(res);
      return setTimeout(() => { record.answer = answer; state.hanging.delete(res); if (!res.destroyed) send(res, answer.status, answer.body, "submit"); }, 9_000);
    }
    send(res, record.answer.status, record.answer.body, "submit");
  }

  const resultUrl = (task) => `${baseUrl()}/apipod/results/${task.id}/0.png`;
  const resultUrls = (task) => task.mode === "two_results" ? [resultUrl(task), resultUrl(task).replace(/0\.png$/, "1.png")] : [resultUrl(task)];

  function status(res, id) {
    const task = state.tasks.get(id);
    state.statusRequests.push({ taskId: id, at: Date.now() });
    if (!task) return send(res, 404, codeError(404, "Task not found", "invalid_request_error", "invalid_request"), "error");
    if (task.mode === "poll429" && once(`poll:${id}`)) {
      return send(res, 429, codeError(429, "Rate limit exceeded", "rate_limit_error", "rate_limit_exceeded"), "error", { "retry-after": "3" });
    }
    const envelope = (data) => send(res, 200, { code: 200, message: "success", data: { task_id: id, ...data } }, "status");
    if (task.final === "processing") return envelope({ status: "processing", progress: 40 });
    if (task.state === "pending") return envelope({ status: "pending" });
    if (task.mode === "malformed") {
      state.answers.push({ kind: "broken", status: 200 });
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"code": 200, "message": "success", "data": {"status": "completed", "result": [');
    }
    if (task.state === "failed" && task.mode === "fail_legacy") return envelope({ status: "failed", error: "The upstream model refused this prompt." });
    if (task.state === "failed") return envelope({ status: "failed", error_code: "CONTENT_POLICY", error_message: "Content policy violation:\u0007 the prompt\nwas refused." });
    if (task.state === "cancelled") return envelope({ status: "cancelled" });
    envelope({ status: "completed", result: resultUrls(task), completed_at: Math.floor(task.completedAt / 1000) });
  }

  async function result(res, id, index) {
    const task = state.tasks.get(id);
    state.resultRequests.push({ taskId: id, at: Date.now(), index });
    if (!task || task.mode === "result404") {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("Not Found");
    }
    if (task.mode === "notimage") {
      res.writeHead(200, { "content-type": "image/png" });
      return res.end("<html><body>Gateway error</body></html>");
    }
    await task.rendering;
    if (task.mode === "trickle_result" || (task.mode === "trickle_once" && once(`result:${id}`))) return trickle(res, id, task.png);
    const big = task.mode === "big_result" || task.mode === "big_chunked";
    const bytes = big ? (task.bigPng ??= padPng(task.png, 24 * 1024 * 1024)) : task.png;
    res.writeHead(200, { "content-type": "image/png", ...(task.mode === "big_chunked" ? {} : { "content-length": bytes.length }) });
    if (task.mode === "slow_result" || big) {
      const pieces = task.mode === "slow_result" ? 6 : Math.ceil(bytes.length / (1 << 20));
      const size = Math.ceil(bytes.length / pieces);
      for (let at = 0; at < bytes.length; at += size) {
        res.write(bytes.subarray(at, at + size));
        await new Promise((resolve) => setTimeout(resolve, task.mode === "slow_result" ? 500 : 20));
      }
      state.resultsSent.push({ taskId: id, at: Date.now(), bytes: bytes.length });
      return res.end();
    }
    res.end(bytes);
    state.resultsSent.push({ taskId: id, at: Date.now(), bytes: bytes.length });
  }

  // Headers (with the true Content-Length) and the first KiB at once, then a byte a second until the client gives
  // up; when it closes the connection is recorded in `state.resultsCut`.
  function trickle(res, id, bytes) {
    res.writeHead(200, { "content-type": "image/png", "content-length": bytes.length });
    res.write(bytes.subarray(0, 1024));
    let at = 1024;
    const started = Date.now();
    const timer = setInterval(() => { if (at < bytes.length - 1) res.write(bytes.subarray(at, ++at)); }, 1000);
    res.on("close", () => { clearInterval(timer); state.resultsCut.push({ taskId: id, startedAt: started, at: Date.now(), bytes: at }); });
  }

  return {
    prefix: "/apipod",
    state,
    async handle(req, res, url, body) {
      const path = url.pathname.slice("/apipod".length);
      if (path.startsWith("/v1/") && req.headers.authorization !== `Bearer ${apiKey}`) {
        return send(res, 401, openAiError("Authentication required. Please provide a valid API key or sign in.", "invalid_api_key"), "error");
      }
      if (req.method === "POST" && path === "/v1/images/generations") return submit(req, res, body);
      let match = path.match(/^\/v1\/images\/status\/([\w-]+)$/);
      if (req.method === "GET" && match) return status(res, match[1]);
      match = path.match(/^\/results\/([\w-]+)\/(\d)\.png$/);
      if (req.method === "GET" && match) return result(res, match[1], Number(match[2]));
      // Not in APIPod's endpoint table (e.g. /v1/images/edits): 404.
      send(res, 404, openAiError(`No route ${req.method} ${path}`, "invalid_request"), "error");
    },
  };
}

//! Generation operations: 1–4 images with and without references, by session or API key, with and without an
//! Idempotency-Key, retried; deleting one or several; sharing and unsharing. APIPod faults ride in the prompt.
import { ensureAccount } from "./accounts.mjs";
import { jsonOf } from "../world.mjs";

const WORDS = ["harbour", "lantern", "orchard", "glacier", "meadow", "comet", "violin", "canyon", "heron", "quarry"];
const MODELS = [
  { id: "nano-banana-2", ratios: ["1:1", "4:3", "16:9"] },
  { id: "seedream-v4.5", ratios: ["1:1", "3:2"] },
  { id: "nano-banana-pro", ratios: ["1:1", "4:5"] },
];

/** A prompt with a unique nonce (so a leak into a log is found) and, maybe, an APIPod fault switch. */
function prompt(world, params, mode, accountId) {
  const n = world.next();
  const nonce = `zq${world.seed}n${n}v`;
  const text = `${WORDS[params[2] % WORDS.length]} ${WORDS[params[3] % WORDS.length]} ${nonce}${mode === "normal" ? "" : ` [apipod:${mode}]`}`;
  world.prompts.set(nonce, { text, accountId });
  return text;
}

async function post(world, actor, body, { byKey, idempotencyKey }) {
  const extra = idempotencyKey ? { "idempotency-key": idempotencyKey } : {};
  const response = await world.worker.fetch("/api/generations", { method: "POST", headers: world.headers(actor, { byKey, json: true, extra }), body: JSON.stringify(body) });
  const answer = await jsonOf(response);
  if (response.status === 202) {
    for (const g of answer.generations) if (!actor.generations.includes(g.id)) actor.generations.push(g.id);
  }
  return { status: response.status, answer };
}

export const generationOps = {
  generate: {
    weight: 14,
    async run(world, actor, params) {
      await ensureAccount(world, actor);
      const mode = world.apipodMode();
      if (mode !== "normal") world.stats.fault(`apipod_${mode}`);
      const model = MODELS[params[0] % MODELS.length];
      const body = { prompt: prompt(world, params, mode, actor.account.id), model: model.id, aspect_ratio: model.ratios[params[1] % model.ratios.length] };
      const n = [1, 1, 1, 2, 3, 4][params[4] % 6];
      if (n > 1) body.n = n;
      if (params[5] % 3 === 0 && actor.uploads.length) body.reference_upload_ids = [actor.uploads[params[5] % actor.uploads.length]];
      if (params[5] % 5 === 1 && actor.images.length) body.reference_image_ids = [actor.images[params[5] % actor.images.length]];
      const byKey = params[6] % 3 === 0 && Boolean(actor.account.key);
      const idempotencyKey = params[7] % 2 === 0 ? `sim-${world.seed}-${world.next()}` : null;
      const retries = params[8] % 4 === 0 ? 1 + (params[8] % 2) : 0;
      const send = () => post(world, actor, body, { byKey, idempotencyKey });
      // A retry is concurrent (a double click) or after the answer (a client that timed out), as chosen.
      const results = params[9] % 2 === 0 ? await Promise.all([send(), ...Array.from({ length: retries }, send)]) : [await send()];
      if (params[9] % 2 !== 0) for (let i = 0; i < retries; i++) results.push(await send());
      if (retries) world.stats.fault(idempotencyKey ? "retry_with_idempotency_key" : "retry_without_key");
      if (idempotencyKey && retries) {
        const ids = new Set(results.filter((r) => r.status === 202).map((r) => JSON.stringify(r.answer.generations.map((g) => g.id))));
        if (ids.size > 1) world.observe("idempotent retries admitted different generations", { idempotencyKey, ids: [...ids] });
      }
      return results.map((r) => r.status).join("+");
    },
  },
  look: {
    weight: 4,
    // Reads the actor's generations; remembers succeeded images as possible references.
    async run(world, actor, params) {
      if (!actor.account || actor.account.deleted || !actor.generations.length) return "nothing";
      const id = actor.generations[params[0] % actor.generations.length];
      const response = await world.worker.fetch(`/api/generations/${id}`, { headers: world.headers(actor, { byKey: params[1] % 2 === 0 }) });
      const body = await jsonOf(response);
      if (response.status === 200 && body.status === "succeeded") for (const image of body.images ?? []) if (!actor.images.includes(image.id)) actor.images.push(image.id);
      return String(response.status);
    },
  },
  delete_generation: {
    weight: 3,
    async run(world, actor, params) {
      if (!actor.account || actor.account.deleted || !actor.generations.length) return "nothing";
      const id = actor.generations[params[0] % actor.generations.length];
      const response = await world.worker.fetch(`/api/generations/${id}`, { method: "DELETE", headers: world.headers(actor, { byKey: params[1] % 2 === 0 }) });
      await response.arrayBuffer();
      if (response.status < 300) actor.generations = actor.generations.filter((g) => g !== id);
      return String(response.status);
    },
  },
  delete_generations: {
    weight: 2,
    async run(world, actor, params) {
      if (!actor.account || actor.account.deleted || !actor.generations.length) return "nothing";
      const ids = [...new Set(params.slice(0, 1 + (params[5] % 4)).map((p) => actor.generations[p % actor.generations.length]))];
      const response = await world.worker.fetch("/api/generations/delete", { method: "POST", headers: world.headers(actor, { byKey: params[6] % 2 === 0, json: true }), body: JSON.stringify({ ids }) });
      const body = await jsonOf(response);
      if (response.status === 200) {
        const kept = new Set((body?.kept ?? body?.not_deleted ?? []).map((k) => k.id ?? k));
        const deleted = new Set(body?.deleted ?? ids.filter((id) => !kept.has(id)));
        actor.generations = actor.generations.filter((g) => !deleted.has(g));
      }
      return String(response.status);
    },
  },
  share: {
    weight: 2,
    async run(world, actor, params) {
      if (!actor.account || actor.account.deleted || !actor.generations.length) return "nothing";
      const id = actor.generations[params[0] % actor.generations.length];
      const response = await world.worker.fetch(`/api/generations/${id}/share`, { method: "POST", headers: world.headers(actor, { json: true }), body: JSON.stringify({ show_prompt: params[1] % 2 === 0 }) });
      const body = await jsonOf(response);
      const shareUrl = body?.images?.[0]?.share_url;
      if (response.status === 200 && shareUrl) {
        const page = await world.worker.fetch(`/s/${new URL(shareUrl).searchParams.get("share")}`);
        await page.arrayBuffer();
      }
      return String(response.status);
    },
  },
  unshare: {
    weight: 1,
    async run(world, actor, params) {
      if (!actor.account || actor.account.deleted || !actor.generations.length) return "nothing";
      const id = actor.generations[params[0] % actor.generations.length];
      const response = await world.worker.fetch(`/api/generations/${id}/share`, { method: "DELETE", headers: world.headers(actor) });
      await response.arrayBuffer();
      return String(response.status);
    },
  },
};

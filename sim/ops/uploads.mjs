//! Reference uploads: storing one (by session or key, maybe with an Idempotency-Key) and deleting one with
// `DELETE /api/uploads/{id}` (probed at run time: a Worker without the route is counted as `unsupported`).
import { encodePng } from "../../tests/support/fakes/png.mjs";
import { ensureAccount } from "./accounts.mjs";
import { jsonOf } from "../world.mjs";

/** Stores a small PNG of its own as a reference (maybe while the actor's account is being deleted). */
export async function uploadReference(world, actor, params) {
  await ensureAccount(world, actor);
  const n = world.next();
  const bytes = encodePng(24 + (params[0] % 16), 16 + (params[1] % 16), (x, y) => [(x * 7 + n) % 256, (y * 11 + world.seed) % 256, n % 256]);
  const extra = params[2] % 3 === 0 ? { "idempotency-key": `sim-up-${world.seed}-${n}` } : {};
  const response = await world.worker.fetch("/api/uploads", { method: "POST", headers: world.headers(actor, { byKey: params[3] % 2 === 0, extra: { "content-type": "image/png", ...extra } }), body: bytes });
  const body = await jsonOf(response);
  if (response.status === 201 && !actor.uploads.includes(body.id)) actor.uploads.push(body.id);
  return String(response.status);
}

export const uploadOps = {
  upload: {
    weight: 4,
    run: (world, actor, params) => uploadReference(world, actor, params),
  },
  delete_upload: {
    weight: 2,
    async run(world, actor, params) {
      if (world.features.uploadDelete === false) return "unsupported";
      if (!actor.account || actor.account.deleted || !actor.uploads.length) return "nothing";
      const id = actor.uploads[params[0] % actor.uploads.length];
      const response = await world.worker.fetch(`/api/uploads/${id}`, { method: "DELETE", headers: world.headers(actor, { byKey: params[1] % 2 === 0 }) });
      const body = await jsonOf(response);
      // No route yet: the router's 404/405 names no upload.
      if (response.status === 405 || (response.status === 404 && body?.error?.code !== "upload_not_found")) {
        world.features.uploadDelete = false;
        return "unsupported";
      }
      world.features.uploadDelete = true;
      if (response.status < 300) actor.uploads = actor.uploads.filter((u) => u !== id);
      return String(response.status);
    },
  },
};

// Starting generations, uploading references and waiting for generations to settle, for tests.
import { asUser } from "./google-flow.mjs";

export async function generate(worker, session, body) {
  const response = await worker.fetch("/api/generations", {
    method: "POST", headers: asUser(worker, session, { "content-type": "application/json" }), body: JSON.stringify(body),
  });
  return { response, body: await response.json() };
}

export async function getGeneration(worker, session, id) {
  return (await worker.fetch(`/api/generations/${id}`, { headers: asUser(worker, session) })).json();
}

/** Polls the API until the generation succeeds or fails (the Worker's queue drives it server-side). */
export async function settled(worker, session, id, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const generation = await getGeneration(worker, session, id);
    if (generation.status === "succeeded" || generation.status === "failed") return generation;
    if (Date.now() > deadline) throw new Error(`generation ${id} still ${generation.status}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

export async function upload(worker, session, bytes, contentType = "image/png") {
  const response = await worker.fetch("/api/uploads", { method: "POST", headers: asUser(worker, session, { "content-type": contentType }), body: bytes });
  return { response, body: await response.json() };
}

/** Every R2 key under a prefix. */
export async function r2Keys(worker, prefix) {
  const listing = await worker.bucket.list({ prefix });
  return listing.objects.map((o) => o.key);
}

export async function ledgerFor(worker, source) {
  const { results } = await worker.db.prepare("SELECT kind, amount FROM credit_ledger WHERE source_id = ? ORDER BY created_at, kind").bind(source).all();
  return results;
}

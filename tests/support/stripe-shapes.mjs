// Drift guard for the Stripe stand-in: every event it sent during a test run must have the field names of the
// committed sample of its type (tests/contracts/stripe/events/, built by the type-checked builders), so a
// hand-edited object in a test or the stand-in cannot quietly grow a field Stripe does not send.
import { sampleEvents } from "../contracts/stripe/samples.mjs";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function compare(sent, sample, where, out) {
  if (Array.isArray(sent) && Array.isArray(sample)) {
    if (sent.length && sample.length) compare(sent[0], sample[0], `${where}[0]`, out);
    return;
  }
  if (!isObject(sent) || !isObject(sample)) return;
  // Metadata is ours to fill; its keys are not part of Stripe's shape.
  if (where.endsWith(".metadata")) return;
  const missing = Object.keys(sample).filter((k) => !(k in sent));
  const extra = Object.keys(sent).filter((k) => !(k in sample));
  if (missing.length || extra.length) out.push(`${where}: missing [${missing}] extra [${extra}]`);
  for (const key of Object.keys(sample)) if (key in sent) compare(sent[key], sample[key], `${where}.${key}`, out);
}

/** Differences between the events' field names and the samples' (empty when none); types without a sample are skipped. */
export function shapeDrift(events) {
  const samples = new Map(Object.values(sampleEvents()).map((e) => [e.type, e]));
  const out = [];
  for (const event of events) {
    const sample = samples.get(event.type);
    if (sample) compare(event, sample, event.type, out);
  }
  return [...new Set(out)];
}

// Signed-in test people: one new Google identity per call (unique email), optionally holding a credit pack.
import { signIn } from "./google-flow.mjs";
import { buy, profile } from "./billing-flow.mjs";

let people = 0;

/**
 * Signs a new person in (terms accepted) and returns the identity with its `session` and account `id`.
 * `label` names the email (`label-N@gptimg.test`) and the display name; other identity fields pass through.
 */
export async function newPerson(worker, { label = "person", pack = false, ...identity } = {}) {
  const n = ++people;
  const title = label[0].toUpperCase() + label.slice(1);
  const person = { email: `${label}-${n}@gptimg.test`, name: `${title} Number${n}`, ...identity };
  const flow = await signIn(worker, person);
  if (pack) await buy(worker, flow.session, "pack_100");
  const me = await profile(worker, flow.session);
  return { ...person, n, session: flow.session, id: me.id };
}

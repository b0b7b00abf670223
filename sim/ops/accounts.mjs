//! Account operations: signing in (a deleted identity may sign up afresh), API keys, export, deletion.
import { signIn } from "../../tests/support/google-flow.mjs";
import { profile, startCheckout } from "../../tests/support/billing-flow.mjs";
import { originalFetch } from "../intercept.mjs";
import { jsonOf } from "../world.mjs";

/** Signs the actor in as its Google identity; the session becomes the current account's (a new one after deletion). */
export async function signInActor(world, actor) {
  const flow = await signIn(world.worker, { email: actor.email, name: actor.name, sub: actor.sub });
  if (!flow.session) throw new Error(`sign-in gave no session (${flow.callback.status})`);
  world.secrets.add(flow.session);
  const me = await profile(world.worker, flow.session);
  let account = actor.accounts.find((a) => a.id === me.id);
  if (!account) {
    account = { id: me.id, session: flow.session, key: null, keyId: null, deleted: false };
    actor.accounts.push(account);
    // A new account (after a deletion) owns none of the old one's generations or uploads.
    Object.assign(actor, { generations: [], uploads: [], images: [] });
    // Most new accounts buy a pack at once (their own seeded stream decides), so they have credits to spend.
    if (world.rng.setup.chance(0.7)) await buyAtOnce(world, flow.session, world.rng.setup.chance(0.3) ? "pack_500" : "pack_100");
  } else {
    account.session = flow.session;
  }
  actor.account = account;
  return account;
}

/** Checkout and the hosted page's Pay button; a refused checkout (e.g. a Stripe fault) just buys nothing. */
async function buyAtOnce(world, session, plan) {
  const { response, body } = await startCheckout(world.worker, session, plan);
  if (response.status !== 200) return;
  const paid = await originalFetch(`${body.url}/pay`, { method: "POST", redirect: "manual", signal: AbortSignal.timeout(20_000) });
  await paid.arrayBuffer();
}

/** The actor's live account, signing in first if it has none. */
export async function ensureAccount(world, actor) {
  if (actor.account && !actor.account.deleted) return actor.account;
  return signInActor(world, actor);
}

export const accountOps = {
  sign_in: {
    weight: 3,
    async run(world, actor) {
      await signInActor(world, actor);
      return "signed_in";
    },
  },
  create_key: {
    weight: 2,
    async run(world, actor) {
      const account = await ensureAccount(world, actor);
      const response = await world.worker.fetch("/api/keys", { method: "POST", headers: world.headers(actor, { json: true }), body: JSON.stringify({ name: `sim key ${world.next()}` }) });
      const body = await jsonOf(response);
      if (response.status === 201) {
        account.key = body.key;
        account.keyId = body.id;
        world.secrets.add(body.key);
      }
      return String(response.status);
    },
  },
  export: {
    weight: 2,
    async run(world, actor) {
      await ensureAccount(world, actor);
      const response = await world.worker.fetch("/api/me/export", { headers: world.headers(actor) });
      await response.arrayBuffer();
      return String(response.status);
    },
  },
  delete_account: {
    weight: 1,
    async run(world, actor) {
      if (!actor.account || actor.account.deleted) return "no_account";
      return deleteAccount(world, actor);
    },
  },
};

/** `DELETE /api/me`; the actor's credentials are kept to check later that they are refused. */
export async function deleteAccount(world, actor) {
  if (!actor.account || actor.account.deleted) return "no_account";
  const account = actor.account;
  const response = await world.worker.fetch("/api/me", { method: "DELETE", headers: world.headers(actor, { json: true }), body: JSON.stringify({ confirm: "DELETE" }) });
  await response.arrayBuffer();
  if (response.status < 300 || response.status === 410 || response.status === 401) {
    account.deleted = true;
    world.deleted.push({ accountId: account.id, session: account.session, key: account.key, email: actor.email });
  }
  return String(response.status);
}

//! Operations of the world around the people: the cron tick, Stripe API faults for the Worker's own calls, and the
// deletion of an account while its generations and an upload are in flight.
import { ensureAccount, deleteAccount } from "./accounts.mjs";
import { generationOps } from "./generations.mjs";
import { uploadReference } from "./uploads.mjs";

export const systemOps = {
  cron: {
    weight: 4,
    actorless: true,
    async run(world) {
      await world.worker.runCron();
      return "ran";
    },
  },
  stripe_api_fault: {
    weight: 1,
    actorless: true,
    async run(world, _actor, params) {
      const kind = world.rng.stripeApi.weighted(world.stripeApiFaults);
      world.worker.fakes.stripe.state.failNext = kind;
      world.stats.fault(`stripe_api_${kind}`);
      return kind;
    },
  },
  delete_account_in_flight: {
    weight: 1,
    async run(world, actor, params) {
      await ensureAccount(world, actor);
      const work = [generationOps.generate.run(world, actor, params)];
      if (params[3] % 2 === 0) work.push(uploadReference(world, actor, params));
      world.stats.fault("deletion_with_work_in_flight");
      if (params[3] % 2 === 0) world.stats.fault("upload_during_deletion");
      const [deleted] = await Promise.all([deleteAccount(world, actor), ...work.map((w) => w.catch((e) => `error:${e.message}`))]);
      return deleted;
    },
  },
};

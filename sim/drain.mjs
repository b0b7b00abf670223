//! Brings a run to rest before the invariants are read: every held Stripe event delivered (and retried while
// refused), generations settled by their callbacks, queue polls and the cron, then — unless `warp` is off — the
// clocks the sweep reads moved past their deadlines (what 10 minutes of waiting would do), and the cron run until
// the R2 to-do, renditions and deletions are done.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function count(db, sql, ...binds) {
  return (await db.prepare(sql).bind(...binds).first("n")) ?? 0;
}

const unfinished = (db) => count(db, "SELECT COUNT(*) AS n FROM generations WHERE status IN ('queued', 'running')");

/**
 * Waits up to `ms` for every generation to settle, ticking the cron every two seconds; gives up early once
 * nothing has settled for `idleMs` (what is left then waits for its deadline).
 */
async function settle(worker, ms, idleMs = 8000) {
  const deadline = Date.now() + ms;
  let lastCron = 0;
  let last = -1;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    const left = await unfinished(worker.db);
    if (!left) return true;
    if (left !== last) [last, lastChange] = [left, Date.now()];
    else if (Date.now() - lastChange > idleMs) break;
    if (Date.now() - lastCron > 2000) {
      await worker.runCron();
      lastCron = Date.now();
    }
    await sleep(250);
  }
  return !await unfinished(worker.db);
}

/**
 * Moves the times the cron compares with now into the past, as if enough time had passed: generation deadlines,
 * deletion retries (the cron takes a deletion a minute after it began, then with backoff) and rendition retries.
 * Only these columns move; nothing else of the Worker's state is touched.
 */
export async function warpClocks(db) {
  const now = Date.now();
  await db.batch([
    db.prepare("UPDATE generations SET deadline_at = ?1 WHERE status IN ('queued', 'running') AND deadline_at > ?1").bind(now - 1),
    db.prepare("UPDATE accounts SET deletion_started_at = MIN(deletion_started_at, ?1), deletion_retry_at = NULL WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL").bind(now - 120_000),
    db.prepare("UPDATE generation_images SET renditions_due_at = ?1 WHERE renditions_due_at IS NOT NULL AND renditions_due_at > ?1").bind(now - 1),
  ]);
}

/** Whether the cron still has anything to do: the R2 to-do, renditions due, or deletions not finished. */
async function cronBusy(db) {
  return (await count(db, "SELECT COUNT(*) AS n FROM r2_deletions"))
    + (await count(db, "SELECT COUNT(*) AS n FROM generation_images WHERE renditions_due_at IS NOT NULL"))
    + (await count(db, "SELECT COUNT(*) AS n FROM accounts WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL AND deletion_problem IS NULL"));
}

export async function drain({ worker, scheduler, warp = true, settleMs = 25_000 }) {
  const between = async () => { await worker.runCron(); await sleep(200); };
  const report = { settled: false, warped: false, stripe_failing: 0 };
  await scheduler.flush({ rounds: 2, between });
  report.settled = await settle(worker, settleMs);
  if (warp) {
    await warpClocks(worker.db);
    report.warped = true;
    await worker.runCron();
    report.settled = await settle(worker, 15_000);
  }
  // Stripe keeps retrying what was refused; the cron runs between retries (a refund may wait for its invoice link).
  await scheduler.flush({ rounds: 4, between });
  for (let i = 0; i < 8; i++) {
    if (warp) await warpClocks(worker.db);
    await worker.runCron();
    await scheduler.flush({ rounds: 0 });
    if (!await cronBusy(worker.db) && !scheduler.pending.length) break;
    await sleep(400);
  }
  // Work the cron set off (e.g. a cancellation at Stripe) may still be answering: let it land.
  await sleep(500);
  await scheduler.flush({ rounds: 2, between });
  report.stripe_failing = scheduler.failing().length;
  return report;
}

// End-to-end: the signup-grant hash of a Google subject has its own long-lived key (SIGNUP_HASH_SECRET), so
// rotating SESSION_SECRET does not reopen signup credits to deleted accounts; hashes recorded under the old key
// (SESSION_SECRET) are still matched, and recorded under the new key when their subject signs in.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { useWorker } from "../support/worker.mjs";
import { signIn, asUser, count } from "../support/google-flow.mjs";
import { profile } from "../support/billing-flow.mjs";
import { TEST_SECRETS } from "../support/env.mjs";

const worker = useWorker({ before, after });

/** The Worker's keyed hash of a subject (domain::auth::subject_hash), under `secret`. */
const subjectHash = (secret, sub) =>
  crypto.createHmac("sha256", secret).update(`gptimg/signup-grant-subject/v1\0${sub}`).digest("hex");

const deleteAccount = (session) => worker.fetch("/api/me", {
  method: "DELETE", headers: asUser(worker, session, { "content-type": "application/json" }), body: JSON.stringify({ confirm: "DELETE" }),
});

describe("the signup-grant key", () => {
  test("rotating SESSION_SECRET does not give a deleted Google account its signup credits again", async () => {
    const sub = "200000000000000001";
    const first = await signIn(worker, { email: "rotate@gptimg.test", sub });
    assert.equal((await profile(worker, first.session)).credits, 10);
    assert.equal((await deleteAccount(first.session)).status, 204);

    await worker.reconfigure({ SESSION_SECRET: `rotated-${crypto.randomBytes(24).toString("hex")}` });
    const again = await signIn(worker, { email: "rotate@gptimg.test", sub });
    assert.equal((await profile(worker, again.session)).credits, 0, "no second welcome after the rotation");
    assert.equal(await count(worker.db, "signup_grants", "subject_hash = ?", subjectHash(TEST_SECRETS.SIGNUP_HASH_SECRET, sub)), 1);
    await worker.reconfigure({ SESSION_SECRET: TEST_SECRETS.SESSION_SECRET });
  });

  test("a subject known only by its hash under SESSION_SECRET (recorded before the key had its own secret) gets no credits and is recorded under the signup key", async () => {
    const sub = "200000000000000002";
    await worker.db.prepare("INSERT INTO signup_grants (subject_hash, granted_at) VALUES (?, ?)").bind(subjectHash(TEST_SECRETS.SESSION_SECRET, sub), 1).run();
    const back = await signIn(worker, { email: "legacy@gptimg.test", sub });
    assert.equal((await profile(worker, back.session)).credits, 0, "the old hash is still matched");
    assert.equal(await count(worker.db, "signup_grants", "subject_hash = ?", subjectHash(TEST_SECRETS.SIGNUP_HASH_SECRET, sub)), 1, "and now known under the signup key");
    assert.equal(await count(worker.db, "credit_ledger", "kind = 'signup_grant' AND account_id = (SELECT id FROM accounts WHERE google_sub = ?)", sub), 0);
    // A Google account never seen still gets its welcome.
    const stranger = await signIn(worker, { email: "stranger@gptimg.test", sub: "200000000000000003" });
    assert.equal((await profile(worker, stranger.session)).credits, 10);
  });
});

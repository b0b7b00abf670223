// Realistic rows for every table the migrations create, in their latest shape: what a live database holds (two
// accounts, one being deleted; a paid pack and a subscription; a finished and a running generation; support,
// audit, Stripe bookkeeping). A migration test inserts the columns each older schema has.
const T = 1_780_000_000_000; // milliseconds
const S = 1_780_000_000; // Stripe seconds
const ACC = ["acc_aaaaaaaaaaaaaaaaaaaaaaaaaa", "acc_bbbbbbbbbbbbbbbbbbbbbbbbbb"];
const GEN = ["gen_aaaaaaaaaaaaaaaaaaaaaaaaaa", "gen_bbbbbbbbbbbbbbbbbbbbbbbbbb"];
const UPL = "upl_aaaaaaaaaaaaaaaaaaaaaaaaaa";

/** Table name -> rows, in an order that satisfies the foreign keys. */
export const ROWS = {
  accounts: [
    { id: ACC[0], google_sub: "109876543210987654321", email: "ada@example.com", name: "Ada Lovelace", name_source: "user",
      picture_url: "https://lh3.googleusercontent.com/a/ada", credits: 96, created_at: T, updated_at: T + 5, last_sign_in_at: T + 5,
      stripe_customer_id: "cus_Ada123", terms_version: "2026-04-22", terms_accepted_at: T, age_confirmed_at: T,
      deletion_started_at: null, deleted_at: null, deletion_attempts: 0, deletion_retry_at: null, deletion_problem: null },
    { id: ACC[1], google_sub: "deleted:acc_bbbbbbbbbbbbbbbbbbbbbbbbbb", email: "", name: "Deleted account", name_source: "google",
      picture_url: null, credits: 0, created_at: T + 1, updated_at: T + 9, last_sign_in_at: T + 1, stripe_customer_id: "cus_Bob456",
      terms_version: "2026-04-22", terms_accepted_at: T + 1, age_confirmed_at: T + 1, deletion_started_at: T + 9, deleted_at: null,
      deletion_attempts: 2, deletion_retry_at: T + 60_000, deletion_problem: "stripe_refused_400" },
  ],
  sessions: [
    { id: "ses_aaaaaaaaaaaaaaaaaaaaaaaaaa", token_hash: "a".repeat(64), account_id: ACC[0], created_at: T, expires_at: T + 2_592_000_000, revoked_at: null },
    { id: "ses_bbbbbbbbbbbbbbbbbbbbbbbbbb", token_hash: "b".repeat(64), account_id: ACC[0], created_at: T, expires_at: T + 1000, revoked_at: T + 500 },
  ],
  credit_ledger: [
    { id: "led_aaaaaaaaaaaaaaaaaaaaaaaaaa", account_id: ACC[0], kind: "signup_grant", source_id: ACC[0], amount: 10, balance_after: 10, description: "Welcome credits", created_at: T },
    { id: "led_bbbbbbbbbbbbbbbbbbbbbbbbbb", account_id: ACC[0], kind: "pack_purchase", source_id: "cs_test_pack", amount: 100, balance_after: 110, description: "Bought 100 credits", created_at: T + 1 },
    { id: "led_cccccccccccccccccccccccccc", account_id: ACC[0], kind: "generation_debit", source_id: GEN[0], amount: -4, balance_after: 106, description: "Image generation with Seedream 4.5", created_at: T + 2 },
  ],
  payments: [
    { id: "pay_aaaaaaaaaaaaaaaaaaaaaaaaaa", account_id: ACC[0], plan_id: "pack_100", kind: "pack", cause_id: "cs_test_pack", stripe_payment_intent_id: "pi_pack",
      stripe_subscription_id: null, amount_cents: 900, currency: "usd", credits_granted: 100, credits_reclaimed: 10, amount_reversed_cents: 90,
      status: "partially_refunded", created_at: T + 1, updated_at: T + 3 },
    { id: "pay_bbbbbbbbbbbbbbbbbbbbbbbbbb", account_id: ACC[1], plan_id: "pro_monthly", kind: "subscription", cause_id: "in_sub_1", stripe_payment_intent_id: "pi_sub",
      stripe_subscription_id: "sub_Bob", amount_cents: 1900, currency: "usd", credits_granted: 400, credits_reclaimed: 0, amount_reversed_cents: 0,
      status: "paid", created_at: T + 2, updated_at: T + 2 },
  ],
  subscriptions: [
    { id: "sub_Bob", account_id: ACC[1], customer_id: "cus_Bob456", plan_id: "pro_monthly", status: "active", current_period_end: T + 2_592_000_000,
      cancel_at_period_end: 0, state_event_created: S, state_rank: 2, updated_at: T + 2 },
  ],
  stripe_events: [
    { id: "evt_1Pack", type: "checkout.session.completed", created: S, outcome: "applied", deliveries: 1, first_received_at: T + 1, last_received_at: T + 1 },
    { id: "evt_2Refund", type: "charge.refunded", created: S + 5, outcome: "applied", deliveries: 2, first_received_at: T + 3, last_received_at: T + 4 },
  ],
  uploads: [
    { id: UPL, account_id: ACC[0], r2_key: `uploads/${ACC[0]}/${UPL}.png`, content_type: "image/png", size_bytes: 2048, sha256: "c".repeat(64),
      width: 40, height: 40, created_at: T + 1, last_used_at: T + 2 },
  ],
  generations: [
    { id: GEN[0], account_id: ACC[0], prompt: "A paper boat on a lake", model_id: "seedream-v4.5", apipod_model: "seedream-v4.5-edit", aspect_ratio: "16:9",
      quality: "2K", reference_upload_ids: JSON.stringify([UPL]), cost: 4, status: "succeeded", failure_code: null, failure_message: null,
      apipod_task_id: "task_123", poll_attempts: 3, next_poll_at: null, deadline_at: T + 600_000, share_token: "d".repeat(26),
      created_at: T + 2, updated_at: T + 30, finished_at: T + 30, batch_id: "bat_aaaaaaaaaaaaaaaaaaaaaaaaaa",
      reference_image_ids: "[]", share_shows_prompt: 1, favourite: 1 },
    { id: GEN[1], account_id: ACC[0], prompt: "A lighthouse at dusk", model_id: "nano-banana-2", apipod_model: "nano-banana-2", aspect_ratio: "1:1",
      quality: null, reference_upload_ids: "[]", cost: 2, status: "running", failure_code: null, failure_message: null, apipod_task_id: "task_456",
      poll_attempts: 1, next_poll_at: T + 40, deadline_at: T + 600_000, share_token: null, created_at: T + 35, updated_at: T + 36, finished_at: null,
      batch_id: null, reference_image_ids: JSON.stringify(["img_aaaaaaaaaaaaaaaaaaaaaaaaaa"]), share_shows_prompt: 0, favourite: 0 },
  ],
  generation_images: [
    { id: "img_aaaaaaaaaaaaaaaaaaaaaaaaaa", generation_id: GEN[0], account_id: ACC[0], position: 0, r2_key: `images/${ACC[0]}/img_aaaaaaaaaaaaaaaaaaaaaaaaaa.png`,
      content_type: "image/png", size_bytes: 65536, width: 256, height: 144, etag: "etag-1", created_at: T + 30,
      medium_key: `images/${ACC[0]}/img_aaaaaaaaaaaaaaaaaaaaaaaaaa.png.medium.x.webp`, medium_etag: "etag-2", medium_bytes: 9000,
      medium_width: 256, medium_height: 144, preview_key: null, preview_etag: null, preview_bytes: null, preview_width: null,
      preview_height: null, renditions_tries: 1, renditions_due_at: T + 90 },
  ],
  featured_images: [{ generation_id: GEN[0], position: 1, featured_at: T + 40 }],
  support_messages: [
    { id: "sup_aaaaaaaaaaaaaaaaaaaaaaaaaa", account_id: ACC[0], email: "ada@example.com", subject: "Invoice", message: "Can I get an invoice?",
      status: "answered", created_at: T + 10, updated_at: T + 20, sender_ip_hash: null },
    { id: "sup_bbbbbbbbbbbbbbbbbbbbbbbbbb", account_id: null, email: "visitor@example.org", subject: "Hello", message: "Before signing up…",
      status: "open", created_at: T + 11, updated_at: T + 11, sender_ip_hash: "e".repeat(64) },
  ],
  support_replies: [
    { id: "rep_aaaaaaaaaaaaaaaaaaaaaaaaaa", message_id: "sup_aaaaaaaaaaaaaaaaaaaaaaaaaa", admin_account_id: ACC[0], body: "Sent by email.", created_at: T + 20 },
  ],
  audit_log: [
    { id: "aud_aaaaaaaaaaaaaaaaaaaaaaaaaa", admin_account_id: ACC[0], action: "support_reply", target_id: "sup_aaaaaaaaaaaaaaaaaaaaaaaaaa", details: "{}", created_at: T + 20 },
  ],
  invoice_payments: [
    { id: "inpay_1", invoice_id: "in_sub_1", payment_intent_id: "pi_sub", amount_cents: 1900, currency: "usd", created_at: T + 2 },
  ],
  // 0015: a claimed subscription period and a dispute's last status.
  subscription_periods: [{ period_key: "sub_x:1700000000", invoice_id: "in_x", created_at: T + 6 }],
  dispute_outcomes: [{ dispute_id: "dp_x", payment_intent_id: "pi_x", status: "won", money_kept: 1, event_created: 1700000000, updated_at: T + 9 }],
  billing_problems: [
    { event_id: "evt_3Unknown", event_type: "invoice.paid", reason: "unknown_plan", facts: JSON.stringify({ invoice: "in_x", price: "price_old" }),
      deliveries: 3, first_seen_at: T + 5, last_seen_at: T + 50, resolved_at: null, resolution: null, resolved_by: null },
  ],
  r2_deletions: [{ id: 1, r2_key: "uploads/acc_x/upl_old.png", created_at: T + 7 }],
  signup_grants: [{ subject_hash: "f".repeat(64), granted_at: T }],
  // 0012: personal API keys (a live one and a revoked one) and their rate windows.
  api_keys: [
    { id: "key_aaaaaaaaaaaaaaaaaaaaaaaaaa", account_id: ACC[0], name: "CI", key_hash: "1".repeat(64), prefix: "gptimg_AbCd", created_at: T + 3,
      last_used_at: T + 40, revoked_at: null },
    { id: "key_bbbbbbbbbbbbbbbbbbbbbbbbbb", account_id: ACC[0], name: "Old laptop", key_hash: "2".repeat(64), prefix: "gptimg_XyZ0", created_at: T + 4,
      last_used_at: null, revoked_at: T + 8 },
  ],
  api_rate_windows: [
    { scope: "key:key_aaaaaaaaaaaaaaaaaaaaaaaaaa", window_start: T + 0, count: 3 },
    { scope: `acc:${ACC[0]}`, window_start: T + 0, count: 3 },
  ],
  // 0013: an Idempotency-Key's stored answer.
  idempotency_keys: [
    { account_id: ACC[0], operation: "create_upload", idem_key: "key-1", fingerprint: "e".repeat(64), claim: "upl_1",
      status: 201, body: JSON.stringify({ id: "upl_1" }), created_at: T + 9 },
  ],
};

/**
 * Inserts that the schema must refuse, per table: a constraint a migration could lose when it rebuilds a table.
 * Each is the first row of ROWS[table] with some values changed.
 */
export const MUST_REFUSE = {
  accounts: [{ id: "acc_dup", credits: -1, google_sub: "other" }, { id: "acc_dup" }, { id: "acc_dup", google_sub: "other", name_source: "robot" }],
  sessions: [{ id: "ses_dup" }],
  credit_ledger: [{ id: "led_dup" }, { id: "led_dup", source_id: "other", balance_after: -1 }],
  payments: [{ id: "pay_dup" }, { id: "pay_dup", cause_id: "other", status: "bogus" }, { id: "pay_dup", cause_id: "other", kind: "gift" },
    { id: "pay_dup", cause_id: "other", credits_reclaimed: 101 }],
  generations: [{ id: "gen_dup", status: "bogus", share_token: null }, { id: "gen_dup", cost: 0, share_token: null }, { id: "gen_dup" }],
  generation_images: [{ id: "img_dup" }],
  featured_images: [{}, { generation_id: "gen_nobody" }],
  support_messages: [{ id: "sup_dup", status: "bogus" }],
  billing_problems: [{ event_id: "evt_dup", reason: "bogus" }, { event_id: "evt_dup", resolution: "bogus" }],
  r2_deletions: [{ id: 2 }],
  subscription_periods: [{}],
  dispute_outcomes: [{}],
  signup_grants: [{}],
  api_keys: [{ id: "key_dup" }, { id: "key_dup", key_hash: "9".repeat(64), account_id: "acc_nobody" }],
  api_rate_windows: [{}],
  idempotency_keys: [{ claim: "upl_other" }],
};

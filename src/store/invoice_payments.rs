//! `invoice_payment.paid`: which PaymentIntent paid which invoice, so refunds and disputes of subscription
//! payments (which name only the intent) find the credits the invoice granted, in whichever order events arrive.

use gptimg_domain::billing::InvoicePaymentLink;

use super::event_record::{run_recorded, EventRecord, Marker};
use super::{int, text, Db};

const INSERT_LINK: &str =
    "INSERT INTO invoice_payments (id, invoice_id, payment_intent_id, amount_cents, currency, created_at) \
 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING";

// When `invoice.paid` came first, its payment row is waiting for the intent.
const LINK_PAYMENT_ROW: &str = "UPDATE payments SET stripe_payment_intent_id = ?2, updated_at = ?3 \
 WHERE cause_id = ?1 AND stripe_payment_intent_id IS NULL";

pub async fn link(db: &Db, l: &InvoicePaymentLink, event: &EventRecord<'_>) -> worker::Result<String> {
    let now = int(event.now.0);
    let statements = vec![
        db.prepare(INSERT_LINK).bind(&[
            text(&l.invoice_payment_id),
            text(&l.invoice_id),
            text(&l.payment_intent_id),
            int(l.amount_cents),
            text(&l.currency),
            now.clone(),
        ])?,
        db.prepare(LINK_PAYMENT_ROW).bind(&[text(&l.invoice_id), text(&l.payment_intent_id), now])?,
    ];
    run_recorded(db, statements, event, Marker::default(), "payment_linked").await
}

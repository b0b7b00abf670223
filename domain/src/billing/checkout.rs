//! Starting a Stripe Checkout: who may buy what, the Checkout Session form, and the Idempotency-Key that makes
//! starting one safe to repeat.

use crate::billing::plans::{Plan, PlanKind};
use crate::error::{DomainError, ErrorKind};
use crate::url::BaseUrl;

/// The buyer as Checkout needs them.
pub struct Buyer<'a> {
    pub account_id: &'a str,
    pub email: &'a str,
    pub stripe_customer_id: Option<&'a str>,
    /// Whether the account's current subscription `is_live`.
    pub has_live_subscription: bool,
}

/// One live subscription per account: a second one is refused (packs can always be bought).
pub fn may_buy(plan: &Plan, buyer: &Buyer<'_>) -> Result<(), DomainError> {
    if plan.kind == PlanKind::Subscription && buyer.has_live_subscription {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "already_subscribed",
            "You already have a subscription; manage it from billing.",
        ));
    }
    Ok(())
}

/// Where Stripe sends the buyer back to after checkout: only pages of ours that show the new balance, so a
/// crafted `return_to` can never make the success URL point anywhere else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CheckoutReturn {
    #[default]
    Account,
    Studio,
}

impl CheckoutReturn {
    /// `None` (not given) is the account page; anything but a known same-origin path is refused.
    pub fn parse(raw: Option<&str>) -> Result<Self, DomainError> {
        match raw {
            None | Some("/account") => Ok(Self::Account),
            Some("/app") => Ok(Self::Studio),
            Some(_) => Err(DomainError::bad_request(
                "invalid_return_to",
                "After checkout we can only return you to /app or /account.",
            )),
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Self::Account => "/account",
            Self::Studio => "/app",
        }
    }
}

/// The Checkout Session form: the plan's price, where Stripe sends the buyer back to (`back`), and the account and
/// plan in the session's metadata and in the PaymentIntent's or Subscription's (so every later event names them). A
/// known Stripe customer is reused; otherwise Stripe gets the email, and a pack buyer becomes a customer so the
/// Billing Portal can show their invoices.
pub fn checkout_form(
    plan: &Plan,
    buyer: &Buyer<'_>,
    app_url: &BaseUrl,
    back: CheckoutReturn,
) -> Vec<(&'static str, String)> {
    let (mode, nested_account, nested_plan) = match plan.kind {
        PlanKind::Pack => {
            ("payment", "payment_intent_data[metadata][account_id]", "payment_intent_data[metadata][plan_id]")
        }
        PlanKind::Subscription => {
            ("subscription", "subscription_data[metadata][account_id]", "subscription_data[metadata][plan_id]")
        }
    };
    let mut form = vec![
        ("mode", mode.to_owned()),
        ("line_items[0][price]", plan.stripe_price_id.clone()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("success_url", app_url.join(&format!("{}?checkout=success&session_id={{CHECKOUT_SESSION_ID}}", back.path()))),
        ("cancel_url", app_url.join(&format!("{}?checkout=cancelled", back.path()))),
        ("client_reference_id", buyer.account_id.to_owned()),
        ("metadata[account_id]", buyer.account_id.to_owned()),
        ("metadata[plan_id]", plan.id.clone()),
        (nested_account, buyer.account_id.to_owned()),
        (nested_plan, plan.id.clone()),
    ];
    match buyer.stripe_customer_id {
        Some(customer) => form.push(("customer", customer.to_owned())),
        None => {
            form.push(("customer_email", buyer.email.to_owned()));
            if plan.kind == PlanKind::Pack {
                form.push(("customer_creation", "always".to_owned()));
            }
        }
    }
    form
}

/// The Idempotency-Key for creating a Checkout Session: the same form (account, plan, return page, customer...)
/// with the same balance within the same minute gets the same session, so a double click cannot open two
/// checkouts; a purchase an hour later gets its own. The whole form is in it because Stripe refuses a reused key
/// with other parameters: the first purchase makes the account a customer, so a second one in the same minute
/// sends `customer` where the first sent `customer_email`. The balance is in it because Stripe answers a reused
/// key with the first answer: once a purchase has been paid (its credits are in the balance), buying again in the
/// same minute must open a new session, not replay the completed one.
pub fn checkout_idempotency_key(form: &[(&'static str, String)], balance: i64, now: crate::time::UnixMillis) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    digest.update(format!("checkout:{}:{balance}", now.as_secs().div_euclid(60)).as_bytes());
    for (name, value) in form {
        // Lengths first, so no two different forms run together into the same bytes.
        digest.update((name.len() as u64).to_be_bytes());
        digest.update(name.as_bytes());
        digest.update((value.len() as u64).to_be_bytes());
        digest.update(value.as_bytes());
    }
    crate::hex::encode(&digest.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::plans::PlanCatalogue;
    use crate::time::UnixMillis;

    const PLANS: &str = r#"[
      {"id":"pack_100","kind":"pack","name":"100 credits","credits":100,"price_cents":900,"currency":"usd","stripe_price_id":"price_pack_100"},
      {"id":"pro","kind":"subscription","name":"Pro","credits":400,"price_cents":1900,"currency":"usd","interval":"month","stripe_price_id":"price_pro"}
    ]"#;

    fn buyer(customer: Option<&'static str>, live: bool) -> Buyer<'static> {
        Buyer {
            account_id: "acc_1",
            email: "ada@example.com",
            stripe_customer_id: customer,
            has_live_subscription: live,
        }
    }

    fn form_for(plan_id: &str, buyer: &Buyer<'_>) -> Vec<(&'static str, String)> {
        let plans = PlanCatalogue::parse(PLANS).unwrap();
        let base = BaseUrl::parse("https://gptimg.example").unwrap();
        checkout_form(plans.by_id(plan_id).unwrap(), buyer, &base, CheckoutReturn::Account)
    }

    fn field<'a>(form: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        form.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_second_live_subscription_is_refused_but_packs_are_always_allowed() {
        let plans = PlanCatalogue::parse(PLANS).unwrap();
        let (pack, pro) = (plans.by_id("pack_100").unwrap(), plans.by_id("pro").unwrap());
        let refused = may_buy(pro, &buyer(None, true)).unwrap_err();
        assert_eq!(refused.code, "already_subscribed");
        assert_eq!(refused.kind, ErrorKind::Conflict);
        assert!(may_buy(pro, &buyer(None, false)).is_ok());
        assert!(may_buy(pack, &buyer(None, true)).is_ok());
    }

    #[test]
    fn a_pack_for_a_new_customer_is_a_payment_that_creates_the_customer() {
        let form = form_for("pack_100", &buyer(None, false));
        assert_eq!(field(&form, "mode"), Some("payment"));
        assert_eq!(field(&form, "line_items[0][price]"), Some("price_pack_100"));
        assert_eq!(field(&form, "line_items[0][quantity]"), Some("1"));
        assert_eq!(
            field(&form, "success_url"),
            Some("https://gptimg.example/account?checkout=success&session_id={CHECKOUT_SESSION_ID}")
        );
        assert_eq!(field(&form, "cancel_url"), Some("https://gptimg.example/account?checkout=cancelled"));
        assert_eq!(field(&form, "client_reference_id"), Some("acc_1"));
        assert_eq!(field(&form, "metadata[account_id]"), Some("acc_1"));
        assert_eq!(field(&form, "metadata[plan_id]"), Some("pack_100"));
        assert_eq!(field(&form, "payment_intent_data[metadata][account_id]"), Some("acc_1"));
        assert_eq!(field(&form, "payment_intent_data[metadata][plan_id]"), Some("pack_100"));
        assert_eq!(field(&form, "customer_email"), Some("ada@example.com"));
        assert_eq!(field(&form, "customer_creation"), Some("always"));
        assert_eq!(field(&form, "customer"), None);
        assert_eq!(field(&form, "subscription_data[metadata][plan_id]"), None);
    }

    #[test]
    fn a_subscription_carries_its_metadata_on_the_subscription_and_reuses_a_known_customer() {
        let form = form_for("pro", &buyer(Some("cus_1"), false));
        assert_eq!(field(&form, "mode"), Some("subscription"));
        assert_eq!(field(&form, "subscription_data[metadata][account_id]"), Some("acc_1"));
        assert_eq!(field(&form, "subscription_data[metadata][plan_id]"), Some("pro"));
        assert_eq!(field(&form, "payment_intent_data[metadata][plan_id]"), None);
        assert_eq!(field(&form, "customer"), Some("cus_1"));
        assert_eq!(field(&form, "customer_email"), None);
        assert_eq!(field(&form, "customer_creation"), None);
        let new_subscriber = form_for("pro", &buyer(None, false));
        assert_eq!(field(&new_subscriber, "customer_email"), Some("ada@example.com"));
        assert_eq!(field(&new_subscriber, "customer_creation"), None, "subscriptions always create the customer");
    }

    #[test]
    fn the_same_form_in_the_same_minute_gives_the_same_key_and_anything_else_a_different_one() {
        let t = UnixMillis(1_800_000_000_000);
        let key =
            |plan: &str, buyer: &Buyer<'_>, at: UnixMillis| checkout_idempotency_key(&form_for(plan, buyer), 10, at);
        let ada = buyer(None, false);
        assert_eq!(key("pack_100", &ada, t), key("pack_100", &ada, UnixMillis(t.0 + 10_000)));
        assert_ne!(key("pack_100", &ada, t), key("pack_100", &ada, t.plus_secs(61)));
        assert_ne!(key("pack_100", &ada, t), key("pack_100", &Buyer { account_id: "acc_2", ..ada }, t));
        assert_ne!(key("pack_100", &ada, t), key("pro", &ada, t));
        // Once the first purchase made the account a customer, the same pack again in the same minute is a new form.
        assert_ne!(key("pack_100", &ada, t), key("pack_100", &buyer(Some("cus_1"), false), t));
        let plans = PlanCatalogue::parse(PLANS).unwrap();
        let base = BaseUrl::parse("https://gptimg.example").unwrap();
        let pack = plans.by_id("pack_100").unwrap();
        assert_ne!(
            checkout_idempotency_key(&checkout_form(pack, &ada, &base, CheckoutReturn::Account), 10, t),
            checkout_idempotency_key(&checkout_form(pack, &ada, &base, CheckoutReturn::Studio), 10, t)
        );
        // Once a purchase is paid, its credits change the balance: the same form again opens a new session.
        let form = form_for("pack_100", &buyer(Some("cus_1"), false));
        assert_ne!(checkout_idempotency_key(&form, 110, t), checkout_idempotency_key(&form, 210, t));
        // Names and values cannot run into each other.
        assert_ne!(
            checkout_idempotency_key(&[("ab", "c".to_owned())], 10, t),
            checkout_idempotency_key(&[("a", "bc".to_owned())], 10, t)
        );
    }

    #[test]
    fn checkout_returns_only_to_known_pages_of_ours() {
        assert_eq!(CheckoutReturn::parse(None).unwrap(), CheckoutReturn::Account);
        assert_eq!(CheckoutReturn::parse(Some("/account")).unwrap(), CheckoutReturn::Account);
        assert_eq!(CheckoutReturn::parse(Some("/app")).unwrap(), CheckoutReturn::Studio);
        for bad in
            ["https://evil.example/app", "//evil.example", "/app/../admin", "/admin", "/app?x=1", "", "app", "/APP"]
        {
            let refused = CheckoutReturn::parse(Some(bad)).unwrap_err();
            assert_eq!((refused.code.as_ref(), refused.kind), ("invalid_return_to", ErrorKind::BadRequest), "{bad}");
        }
        let plans = PlanCatalogue::parse(PLANS).unwrap();
        let base = BaseUrl::parse("https://gptimg.example").unwrap();
        let form = checkout_form(plans.by_id("pack_100").unwrap(), &buyer(None, false), &base, CheckoutReturn::Studio);
        assert_eq!(
            field(&form, "success_url"),
            Some("https://gptimg.example/app?checkout=success&session_id={CHECKOUT_SESSION_ID}")
        );
        assert_eq!(field(&form, "cancel_url"), Some("https://gptimg.example/app?checkout=cancelled"));
    }
}

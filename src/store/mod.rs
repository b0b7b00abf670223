//! D1 access: SQL in named consts beside the function that runs it; multi-step changes as one batch.

pub mod accounts;
pub mod billing;
pub mod gallery;
pub mod generations;
pub mod ledger;
pub mod privacy;
pub mod support;
pub mod sessions;
pub mod uploads;

use worker::wasm_bindgen::JsValue;

pub fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

pub fn int(value: i64) -> JsValue {
    // D1 numbers are JS doubles; our integers (ms timestamps, credits) stay far below 2^53.
    JsValue::from_f64(value as f64)
}

pub fn opt_text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

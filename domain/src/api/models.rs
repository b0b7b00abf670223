//! `GET /api/models`: the catalogue as callers see it.

use serde::Serialize;

use crate::generation::models::Model;

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "ModelList"))]
pub struct ModelsResponse<'a> {
    pub models: &'a [Model],
}

//! `openapi/openapi.json`, generated: the hand-kept operations of `openapi/operations.json` (paths, parameters,
//! responses, security, prose) with every schema under `components/schemas` generated from the wire types of `api`.
//! The test fails while the committed document differs from what this produces; `UPDATE_OPENAPI=1 cargo test -p
//! gptimg-domain openapi_document` rewrites it.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::transform::{transform_subschemas, Transform};
use schemars::Schema;
use serde_json::{Map, Value};

use super::error::ErrorBody;
use super::generations::{DeleteRequest, DeleteView, GenerationPage, GenerationView, ShareRequest, Started};
use super::models::ModelsResponse;
use super::uploads::UploadView;
use crate::generation::GenerationRequest;

const OPERATIONS: &str = include_str!("../../../openapi/operations.json");
const DOCUMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
const SCHEMAS: &str = "#/components/schemas/";

/// What the generated schemas must say beyond what schemars derives.
#[derive(Clone)]
struct Wire {
    /// For answers: an answer has exactly its type's fields, so its schema refuses any other (requests say so
    /// themselves, with `deny_unknown_fields`).
    closed: bool,
}

impl Transform for Wire {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            // Integer widths are Rust's; `minimum` and `maximum` say what a caller may send or see (`uint32` is no
            // format OpenAPI or the e2e validator knows).
            object.remove("format");
            if self.closed {
                // What a field defaults to when a request leaves it out says nothing about an answer, which has it.
                object.remove("default");
                if object.contains_key("properties") {
                    object.entry("additionalProperties").or_insert(false.into());
                }
            }
        }
        transform_subschemas(self, schema);
    }
}

fn generator(settings: SchemaSettings, closed: bool) -> SchemaGenerator {
    settings
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .with_transform(Wire { closed })
        .into_generator()
}

/// Every request and response body of the document, by schema name: answers as they are serialised, requests as
/// they are deserialised (a defaulted field is optional to send but always written).
fn schemas() -> Map<String, Value> {
    let mut answers = generator(SchemaSettings::draft2020_12().for_serialize(), true);
    for add in [
        SchemaGenerator::subschema_for::<ErrorBody<'_>>,
        SchemaGenerator::subschema_for::<ModelsResponse<'_>>,
        SchemaGenerator::subschema_for::<UploadView<'_>>,
        SchemaGenerator::subschema_for::<GenerationView<'_>>,
        SchemaGenerator::subschema_for::<Started<'_>>,
        SchemaGenerator::subschema_for::<GenerationPage<'_>>,
        SchemaGenerator::subschema_for::<DeleteView<'_>>,
    ] {
        add(&mut answers);
    }
    let mut requests = generator(SchemaSettings::draft2020_12().for_deserialize(), false);
    for add in [
        SchemaGenerator::subschema_for::<GenerationRequest>,
        SchemaGenerator::subschema_for::<DeleteRequest>,
        SchemaGenerator::subschema_for::<ShareRequest>,
    ] {
        add(&mut requests);
    }
    let mut all = answers.take_definitions(true);
    for (name, schema) in requests.take_definitions(true) {
        let earlier = all.insert(name.clone(), schema.clone());
        assert!(earlier.is_none_or(|earlier| earlier == schema), "{name} is both a request and an answer, differently");
    }
    all
}

/// The document: the operations file with the generated schemas in place.
fn generated() -> String {
    let mut document: Value = serde_json::from_str(OPERATIONS).expect("openapi/operations.json is JSON");
    let components = document["components"].as_object_mut().expect("operations.json has components");
    assert!(!components.contains_key("schemas"), "operations.json keeps no schemas: they come from the types");
    components.insert("schemas".into(), Value::Object(schemas()));
    serde_json::to_string_pretty(&document).expect("JSON") + "\n"
}

/// Every `$ref` under `value`, with where it is.
fn refs<'a>(value: &'a Value, at: &str, found: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push((at.to_owned(), target)),
                    _ => refs(inner, &format!("{at}/{key}"), found),
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| refs(item, &format!("{at}/{i}"), found)),
        _ => {}
    }
}

#[test]
fn openapi_document_is_what_the_types_generate() {
    let generated = generated();
    let committed = std::fs::read_to_string(DOCUMENT).unwrap_or_default();
    if generated == committed {
        return;
    }
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(DOCUMENT, &generated).expect("openapi/openapi.json is writable");
        return;
    }
    let line = generated.lines().zip(committed.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
    panic!(
        "openapi/openapi.json is not what the types and openapi/operations.json generate (first difference near line \
         {line}); regenerate it with `UPDATE_OPENAPI=1 cargo test -p gptimg-domain openapi_document` and commit it"
    );
}

#[test]
fn openapi_document_refers_only_to_generated_schemas_and_uses_them_all() {
    let document: Value = serde_json::from_str(&generated()).expect("JSON");
    let schemas = document["components"]["schemas"].as_object().expect("schemas");
    let mut found = Vec::new();
    refs(&document, "", &mut found);
    for (at, target) in &found {
        let name = target.strip_prefix('#').and_then(|pointer| document.pointer(pointer));
        assert!(name.is_some(), "{at}: {target} resolves to nothing");
    }
    let used: Vec<&str> = found.iter().filter_map(|(_, target)| target.strip_prefix(SCHEMAS)).collect();
    let unused: Vec<&String> = schemas.keys().filter(|name| !used.contains(&name.as_str())).collect();
    assert!(unused.is_empty(), "generated schemas nothing refers to: {unused:?}");
}

#[test]
fn openapi_json_bodies_are_generated_not_written_in_operations() {
    let operations: Value = serde_json::from_str(OPERATIONS).expect("JSON");
    let mut inline = Vec::new();
    json_bodies(&operations, "", &mut inline);
    assert!(inline.is_empty(), "JSON bodies written out in operations.json instead of a generated $ref: {inline:?}");
}

/// `content/application/json/schema` objects that are anything but a `$ref` to a generated schema.
fn json_bodies(value: &Value, at: &str, found: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    if let Some(schema) = map.get("application/json").and_then(|media| media.get("schema")) {
        let generated = schema.as_object().is_some_and(|schema| {
            schema.len() == 1 && schema["$ref"].as_str().is_some_and(|target| target.starts_with(SCHEMAS))
        });
        if !generated {
            found.push(at.to_owned());
        }
    }
    for (key, inner) in map {
        json_bodies(inner, &format!("{at}/{key}"), found);
    }
}

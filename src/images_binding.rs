//! The Cloudflare Images binding (`[images]` in wrangler.toml), which workers-rs does not wrap: resize a stream
//! and encode it as WebP, `env.IMAGE_TRANSFORMS.input(stream).transform({ width, height }).output({ format })`,
//! read back as bytes. Miniflare runs the same binding locally with `sharp`.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{self, Object, Reflect, Uint8Array};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::{ReadableStream, Response};
use worker::Env;

use crate::meter::{self, Kind};

/// The binding's name. `IMAGES` is taken by the R2 bucket.
const BINDING: &str = "IMAGE_TRANSFORMS";

#[wasm_bindgen]
extern "C" {
    /// `ImagesBinding` in @cloudflare/workers-types.
    type ImagesBinding;
    #[wasm_bindgen(method, catch)]
    fn input(this: &ImagesBinding, stream: &ReadableStream) -> Result<ImageTransformer, JsValue>;

    type ImageTransformer;
    #[wasm_bindgen(method, catch)]
    fn transform(this: &ImageTransformer, transform: &Object) -> Result<ImageTransformer, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn output(this: &ImageTransformer, options: &Object) -> Result<js_sys::Promise, JsValue>;

    /// `ImageTransformationResult`.
    type ImageTransformationResult;
    #[wasm_bindgen(method, catch)]
    fn response(this: &ImageTransformationResult) -> Result<Response, JsValue>;
}

fn failed(step: &str, error: JsValue) -> worker::Error {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"));
    worker::Error::RustError(format!("images binding {step}: {detail}"))
}

fn object(fields: &[(&str, JsValue)]) -> Result<Object, worker::Error> {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value).map_err(|e| failed("options", e))?;
    }
    Ok(object)
}

/// The image in `stream` resized to exactly `width` x `height` (the caller keeps the aspect) as WebP bytes.
pub async fn webp(env: &Env, stream: &ReadableStream, width: u32, height: u32) -> worker::Result<Vec<u8>> {
    let binding = Reflect::get(env, &JsValue::from_str(BINDING)).map_err(|e| failed("lookup", e))?;
    if binding.is_undefined() {
        return Err(worker::Error::RustError(format!("images binding {BINDING} is not configured")));
    }
    let binding: ImagesBinding = binding.unchecked_into();
    let transform = object(&[
        ("width", JsValue::from(width)),
        ("height", JsValue::from(height)),
        ("fit", JsValue::from_str("scale-down")),
    ])?;
    let options = object(&[("format", JsValue::from_str("image/webp"))])?;
    // One call to the Images service: a subrequest like any fetch.
    meter::count(Kind::Fetch);
    let pending = binding
        .input(stream)
        .and_then(|t| t.transform(&transform))
        .and_then(|t| t.output(&options))
        .map_err(|e| failed("transform", e))?;
    let result: ImageTransformationResult =
        JsFuture::from(pending).await.map_err(|e| failed("output", e))?.unchecked_into();
    let response = result.response().map_err(|e| failed("response", e))?;
    let buffer =
        JsFuture::from(response.array_buffer().map_err(|e| failed("read", e))?).await.map_err(|e| failed("read", e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A stream over bytes already in memory (a rendition made from another one).
pub fn stream_of(bytes: &[u8]) -> worker::Result<ReadableStream> {
    let response = Response::new_with_opt_u8_array(Some(&mut bytes.to_vec())).map_err(|e| failed("stream", e))?;
    response.body().ok_or_else(|| worker::Error::RustError("images binding stream: no body".into()))
}

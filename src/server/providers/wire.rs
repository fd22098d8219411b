//! The face every network provider shows: `Wire`. Everything about one provider
//! (paths, auth headers, request body, defaults, parser, model list) lives in that
//! provider's own file as an `impl Wire`; `kind.rs` picks the file for a kind.

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::frame::Parser;

/// Everything the shared IO (`http.rs`, the catalog) needs to know about one network
/// provider. Pure: no IO.
pub trait Wire: Sync {
    /// Where the provider lives when the settings name no base URL.
    fn default_base_url(&self) -> &'static str;
    /// The model used when the settings name none.
    fn default_model(&self) -> &'static str;
    /// Appended to the base URL for a streamed chat.
    fn chat_path(&self) -> &'static str;
    /// Appended to the base URL to list the models on offer.
    fn models_path(&self) -> &'static str;
    /// The headers that authenticate (`key` when configured) and version the API.
    fn headers(&self, key: Option<&str>) -> HeaderMap;
    /// The streamed chat request.
    fn request_body(&self, model: &str, system: &str, user: &str) -> Value;
    /// A fresh parser for one streamed answer.
    fn parser(&self) -> Parser;
    /// Model names from a successful model-list body; none when it is not the
    /// documented shape.
    fn model_names(&self, body: &[u8]) -> Vec<String>;
}

/// A header value that never shows up in `Debug` output.
pub fn secret_header(value: &str) -> HeaderValue {
    let mut v = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    v.set_sensitive(true);
    v
}

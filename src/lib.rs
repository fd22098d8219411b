//! auditstream: paste a smart contract, stream a security report. One crate, two targets:
//! the axum server (`ssr`) and the browser app (`hydrate`, WASM).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod client;
pub mod protocol;
pub mod report;
pub mod sse;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod analyzer;
#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: attaches the app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

//! auditstream: paste a smart contract, stream a security report. One crate, two targets:
//! the axum server (`ssr`) and the browser app (`hydrate`, WASM).
//!
//! # Layout
//!
//! - [`protocol`]: the wire shapes of `POST /api/report` and `ReportDecoder`, the one
//!   reader of our event stream (both ends).
//! - [`sse`]: the WHATWG event-stream decoder, pure (both ends).
//! - [`report`]: the findings model and language detection, pure (both ends).
//! - [`app`], [`ui`], [`api`]: the Leptos shell, components (with the live markdown
//!   renderer, `ui::markdown`) and server functions.
//! - [`client`]: the browser's fetch, reader and Stop (compiled on both ends, runs in
//!   the browser).
//! - `analyzer` (`ssr`): the offline analyzer behind the builtin provider.
//! - `server` (`ssr`): settings (`config`), shared leaves (`state`, `error`, `origin`),
//!   the guards, the relay (`relay/`: open the provider or the next of its fallback
//!   chain, decide, relay frames), the providers (`providers/`: one file per wire
//!   format), metrics, catalog and router.
//!   The whole crate's `use` graph has no file-level cycle (`tests/layering.rs`).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod client;
pub mod history;
pub mod protocol;
pub mod report;
pub mod sse;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod analyzer;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: attaches the app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

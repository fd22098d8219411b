//! auditstream: paste a smart contract, stream a security report. One crate, two targets:
//! the axum server (`ssr`) and the browser app (`hydrate`, WASM).
//!
//! # Layout
//!
//! - [`protocol`]: the wire shapes of `POST /api/report` and `ReportDecoder`, the one
//!   reader of our event stream (both ends).
//! - [`sse`]: the WHATWG event-stream decoder, pure (both ends).
//! - [`report`]: the findings model, the report parser and writer, the exports, pure
//!   (both ends).
//! - [`history`]: the history types both ends share; [`api`]: every server function.
//! - [`app`], [`ui`]: the Leptos shell and the pages, one folder per page
//!   (`ui::generator`, `ui::history`, `ui::stored`) and the reader they share
//!   (`ui::reader`, with the live markdown renderer `ui::reader::markdown`).
//! - [`client`]: the browser's fetch, reader and Stop (compiled on both ends, runs in
//!   the browser).
//! - `analyzer` (`ssr`): the offline analyzer behind the builtin provider, and the
//!   prompt-injection guard (`analyzer::injection`) the relay and the CLI run.
//! - `server` (`ssr`): settings (`config`), shared leaves (`state`, `error`, `origin`),
//!   the guards (`guard/`, as extractors), the relay (`relay/`: read the request, open
//!   the provider or the next of its fallback chain, decide, relay frames), the
//!   providers (`providers/`: one file per wire format), history (`store/`), metrics,
//!   catalog and router.
//! - `project` (`ssr`): a whole codebase (a folder, files or a `.zip`) checked, laid out
//!   (Foundry, Hardhat, plain), scoped, and its imports resolved.
//! - `cli` (`ssr`): `serve`, `audit`, `export`.
//!
//! The whole crate's `use` graph has no file-level cycle (`tests/layering/`), and
//! `docs/architecture.md` walks it.
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
pub mod project;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod verify;

/// The browser entry point: attaches the app to the server-rendered page. A page whose
/// view is in a lazily loaded part (the history, a stored report and its reader) needs
/// that part to hydrate, so it is fetched first; if it cannot be, the page stays as the
/// server sent it (readable, its links working) and says why it does not respond.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        match ui::load_parts_for(&path).await {
            Ok(_) => leptos::mount::hydrate_body(app::App),
            Err(e) => ui::part::say_static(&e),
        }
    });
}

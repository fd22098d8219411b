//! The browser side of the report stream: `stream_report()` POSTs with gloo-net's
//! `fetch`, reads the body through a ReadableStream reader under an AbortSignal, and
//! decodes it with the shared `protocol::ReportDecoder`; `FrameBatcher` coalesces
//! tokens into at most one DOM update per animation frame. It compiles on both ends
//! (so components need no cfg) and only runs in the browser.

mod batch;
mod fetch;

pub use batch::FrameBatcher;
pub use fetch::{ClientError, stream_report};

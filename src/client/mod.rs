//! The browser side of the report stream: `stream_report()` starts or resumes a stream
//! with gloo-net's `fetch`, reads the body through a ReadableStream reader under an
//! AbortSignal, and decodes it with the shared `protocol::ReportDecoder`;
//! `stop_report()` is Stop for a report with its own id; `reconnect` says when to read
//! on after a lost connection; `FrameBatcher` coalesces tokens into at most one DOM
//! update per animation frame; `preview_project()` asks what the server makes of a
//! project before it is sent. It compiles on both ends (so components need no cfg) and
//! only runs in the browser.

mod batch;
mod fetch;
mod project;
pub mod reconnect;

pub use batch::FrameBatcher;
pub use fetch::{ClientError, Ended, Open, stop_report, stream_report};
pub use project::{ProjectUpload, preview_project};

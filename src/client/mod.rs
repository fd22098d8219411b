//! The browser side of the report stream: `stream_report()` POSTs with `fetch`, reads
//! the body through a ReadableStream reader under an AbortController, and decodes our
//! SSE with the shared `sse::Decoder`; `FrameBatcher` coalesces tokens into at most one
//! DOM update per animation frame.

mod batch;
mod fetch;

pub use batch::FrameBatcher;
pub use fetch::{ClientError, stream_report};

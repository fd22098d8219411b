//! The guards in front of `POST /api/report` (DESIGN §3). Each is an axum extractor or
//! layer, so the route's signature lists what was checked, in the order it is checked:
//! the per-client rate limit (a layer), the origin (`SameOrigin`), a free report slot
//! (`StreamSlot`), then the body: JSON, within the size limit and the read deadline
//! (`JsonBody`). Every refusal is a typed `Rejection` (`error.rs`) that becomes the
//! usual `{"error":{code,message}}` answer; `metrics::count_refusals` counts them all.

mod addr;
mod body;
mod rate_limit;
mod same_origin;
mod slot;

pub use addr::client_ip;
pub use body::{JsonBody, ProjectBody, body_limit};
pub use rate_limit::{ClientKey, RateLimit, rate_limit, rate_limit_housekeeping, rate_limit_layer};
pub use same_origin::SameOrigin;
pub use slot::StreamSlot;

//! Reports that outlive their connection (docs/protocol.md "Resume"). A request that
//! brings its own `report_id` starts a producer task that owns the model's stream and
//! writes every event to the report's bounded log (`log`, `running`); the response is
//! only a reader of that log, as is `GET /api/reports/{id}/events`, so a reader can
//! drop and come back without a second generation. Stop is explicit
//! (`POST /api/reports/{id}/stop`), and a report no one reads for the grace period is
//! stopped the same way. Requests without an id do not come here.
//!
//! Layout: `log` (pure: events in, what a reader is owed out), `running` (one report's
//! shared state), `registry` (the reports by id, stop flags), `producer` (the task),
//! `follow` (a reader's stream and response), `route` (the two routes and the checks),
//! `redis` (the same across several instances, with `AUDITSTREAM_REDIS_URL`).

mod follow;
mod log;
mod producer;
pub mod redis;
mod registry;
mod route;
mod running;

pub use follow::attach;
pub use follow::attach_remote;
pub use producer::{spawn_producer, unread_everywhere};
pub use registry::{Reports, Reserved};
pub use route::{LastEventId, check_unused, checked_id, events, stop, stopped_before_start};
pub use running::Running;

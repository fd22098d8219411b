//! Everything that runs only on the server: configuration, the report relay, the
//! model providers and the router that ties them to the Leptos app.

pub mod catalog;
pub mod config;
pub mod prompt;
pub mod providers;
pub mod relay;
pub mod router;

pub use config::Settings;
pub use router::{AppState, build_router};

//! Everything that runs only on the server: configuration, the report relay and its
//! guards and metrics, the model providers and the router that ties them to the
//! Leptos app.

pub mod assets;
pub mod catalog;
pub mod config;
pub mod csp;
pub mod env_value;
pub mod error;
pub mod guard;
pub mod metrics;
pub mod origin;
pub mod preview;
pub mod prompt;
pub mod providers;
pub mod relay;
pub mod resume;
pub mod router;
pub mod state;
pub mod store;

pub use config::Settings;
pub use router::{build_router, serve};
pub use state::AppState;

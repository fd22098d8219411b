//! The server's router: the streaming report route beside the Leptos app and its
//! server functions, sharing one state. Tests build exactly this router.

use std::sync::Arc;

use axum::{Router, routing::post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use super::{Settings, relay};
use crate::app::{App, shell};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    /// One connection pool for every upstream model.
    pub http: reqwest::Client,
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.limits.connect_timeout)
            // Keys and contracts never go anywhere but the configured base URL.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds with static settings");
        Self {
            settings: Arc::new(settings),
            http,
        }
    }
}

/// The whole app: `POST /api/report`, the server functions and the pages.
pub fn build_router(state: AppState, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let api = Router::new()
        .route("/api/report", post(relay::report))
        .with_state(state.clone());
    let pages = Router::new()
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let leptos_options = leptos_options.clone();
                move || shell(leptos_options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options);
    api.merge(pages)
}

//! The server's router: the streaming report route and `/metrics` beside the Leptos app
//! and its server functions, sharing one state; and `serve`, which runs it the way the
//! binary does (peer addresses for the rate limit, graceful shutdown). Tests and
//! benchmarks build exactly this.

use std::net::SocketAddr;

use axum::{
    Router,
    routing::{get, post},
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;

use super::{AppState, assets, guard, metrics, preview, relay, resume, store};
use crate::app::{App, shell};

/// The whole app: `POST /api/report`, `POST /api/project` (a project's preview), `GET /metrics`, the server functions and the pages.
pub fn build_router(state: AppState, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let mut report = Router::new().route("/api/report", post(relay::report));
    if let Some(limit) = &state.rate_limit {
        report = report.route_layer(guard::rate_limit_layer(limit.clone()));
    }
    // Outermost, so it sees the rate limit's refusals as well as the guards'.
    let report = report.route_layer(axum::middleware::map_response_with_state(
        state.metrics.clone(),
        metrics::count_refusals,
    ));
    let api = report
        .route("/metrics", get(metrics::handler))
        .route("/api/reports/{id}", get(store::route::get_report))
        .route("/api/project", post(preview::handler))
        .route("/api/reports/{id}/events", get(resume::events))
        .route("/api/reports/{id}/stop", post(resume::stop))
        .with_state(state.clone());
    // The app's own files (wasm, js, css), precompressed where the build wrote variants.
    let pkg = assets::pkg_service(&leptos_options.site_root, &leptos_options.site_pkg_dir);
    let pages = Router::new()
        .nest_service(&format!("/{}", leptos_options.site_pkg_dir), pkg)
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
    let mut app = api.merge(pages);
    if state.history.is_some() {
        // Every request knows its owner; a browser without a cookie gets one.
        let policy = store::owner::CookiePolicy {
            secure: state.settings.history.secure_cookie,
            trust_forwarded_proto: state.settings.limits.trust_forwarded_for,
        };
        app = app.layer(axum::middleware::from_fn_with_state(
            policy,
            store::owner::layer,
        ));
    }
    // How long browsers keep pages and files, and that they vary with the encoding.
    let app = app.layer(axum::middleware::from_fn(assets::cache_policy));
    // Its default predicate never compresses `text/event-stream`, so reports stream as is;
    // it leaves a file served precompressed (it has a `Content-Encoding`) as it is.
    app.layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(super::csp::default_policy))
}

/// Serves the app on `listener` until `state.shutdown` is cancelled, then waits for
/// open connections: in-flight reports end within the shutdown grace period.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    leptos_options: LeptosOptions,
) -> std::io::Result<()> {
    let stop = state.shutdown.clone();
    if let Some(limit) = &state.rate_limit {
        tokio::spawn(guard::rate_limit_housekeeping(limit.clone(), stop.clone()));
    }
    let history = state.history.clone();
    let reports = state.reports.clone();
    let app = build_router(state, leptos_options);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.cancelled_owned())
    .await;
    // Reports that outlive their connection end within the shutdown grace period too.
    reports.tasks.close();
    reports.tasks.wait().await;
    // Every stream has ended: commit what they left in the writer before exiting.
    if let Some(h) = history {
        h.writer.flush().await;
    }
    served
}

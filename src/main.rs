//! The server binary: settings from the environment, the router, and a listener that
//! drains in-flight reports on shutdown.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use auditstream::server::{AppState, Settings, build_router};
    use leptos::prelude::get_configuration;
    use tracing_subscriber::EnvFilter;

    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,auditstream=info")),
        )
        .init();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("auditstream: bad configuration: {e}");
            std::process::exit(2);
        }
    };
    let conf = get_configuration(None).expect("leptos configuration");
    let addr = conf.leptos_options.site_addr;
    tracing::info!(
        model = %format!("{}/{}", settings.default_provider().name, settings.default_model),
        "default model"
    );
    let app = build_router(AppState::new(settings), conf.leptos_options);
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("auditstream: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .expect("server");
}

#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser build has no binary; `hydrate()` in lib.rs is its entry point.
}

//! `auditstream` / `auditstream serve`: settings from the environment, the router, and a
//! listener that drains in-flight reports on shutdown.

use std::process::ExitCode;

use leptos::prelude::get_configuration;
use tracing_subscriber::EnvFilter;

use crate::server::{AppState, Settings, serve};

/// Runs the web server until SIGINT/SIGTERM and the drain that follows.
pub async fn run() -> ExitCode {
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
            return ExitCode::from(2);
        }
    };
    let mut conf = match get_configuration(None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("auditstream: bad Leptos configuration: {e}");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        conf.leptos_options.hash_files = hash_file_beside_binary(&conf.leptos_options);
    }
    let addr = conf.leptos_options.site_addr;
    tracing::info!(
        model = %format!("{}/{}", settings.default_provider().name, settings.default_model),
        "default model"
    );
    let state = match AppState::new(settings).with_history().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("auditstream: cannot open report history: {e}");
            return ExitCode::from(2);
        }
    };
    let state = match state.with_redis().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("auditstream: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("auditstream: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!("listening on http://{addr}");
    let stop = state.shutdown.clone();
    // In-flight reports get the grace period, then their `shutdown` event; anything
    // still open this long after that is cut off rather than holding the exit.
    let hard_stop = state.settings.limits.shutdown_grace + std::time::Duration::from_secs(10);
    tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            tracing::info!("shutting down: no new connections; in-flight reports are finishing");
            stop.cancel();
        }
    });
    let served = serve(listener, state, conf.leptos_options);
    let forced = async {
        stop.cancelled().await;
        tokio::time::sleep(hard_stop).await;
    };
    tokio::select! {
        result = served => if let Err(e) = result {
            eprintln!("auditstream: server failed: {e}");
            return ExitCode::from(1);
        },
        () = forced => tracing::warn!("connections still open after the grace period; exiting"),
    }
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

/// A site built with `hash-files` (Cargo.toml) names its wasm, js and css by their
/// content's hash, and cargo-leptos writes those hashes to `hash.txt` beside the binary.
/// `cargo leptos serve` says so with `LEPTOS_HASH_FILES`; a binary started by hand finds
/// the file itself, so its pages never name files the site does not have.
fn hash_file_beside_binary(options: &leptos::prelude::LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .is_some_and(|path| path.is_file())
}

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

//! The model picker's catalog: configured models, plus what each provider reports live,
//! asked concurrently under a short timeout. A provider that cannot be asked degrades
//! to its configured models marked unavailable, with the reason; keys never show.

use std::time::Duration;

use futures_util::future::join_all;

use super::{
    AppState,
    config::ProviderConfig,
    providers::{
        auth_headers,
        http::{key_rejected, redact_userinfo, root_cause},
    },
};
use crate::protocol::ModelOption;

/// At most this many live models per provider (OpenRouter lists hundreds).
const MAX_LIVE_MODELS: usize = 200;

pub async fn list(state: &AppState) -> Vec<ModelOption> {
    let s = &state.settings;
    let timeout = s.limits.discovery_timeout;
    let asks = s
        .providers
        .iter()
        .map(|p| live_models(&state.http, p, timeout));
    let answers = join_all(asks).await;
    let default_id = format!("{}/{}", s.default_provider().name, s.default_model);
    let mut out = Vec::new();
    for (p, answer) in s.providers.iter().zip(answers) {
        let (live, reason) = match answer {
            Ok(live) => (live, None),
            Err(Discovery::NotOffered) => (Vec::new(), None),
            Err(Discovery::Unavailable(why)) => (Vec::new(), Some(why)),
        };
        let mut models: Vec<String> = p.models.clone();
        if p.name == s.default_provider().name && !models.contains(&s.default_model) {
            models.insert(0, s.default_model.clone());
        }
        for m in live.into_iter().take(MAX_LIVE_MODELS) {
            if !models.contains(&m) {
                models.push(m);
            }
        }
        for m in models {
            let id = format!("{}/{}", p.name, m);
            out.push(ModelOption {
                is_default: id == default_id,
                id,
                provider: p.name.clone(),
                available: reason.is_none(),
                reason: reason.clone(),
            });
        }
    }
    out
}

enum Discovery {
    /// The provider has no listing endpoint; its configured models stand.
    NotOffered,
    /// The provider cannot be used now, and why.
    Unavailable(String),
}

async fn live_models(
    client: &reqwest::Client,
    p: &ProviderConfig,
    timeout: Duration,
) -> Result<Vec<String>, Discovery> {
    let Some(wire) = p.kind.wire() else {
        return Ok(Vec::new());
    };
    let url = format!("{}{}", p.base_url, wire.models_path());
    let ask = async {
        let resp = client
            .get(&url)
            .headers(auth_headers(p))
            .send()
            .await
            .map_err(|e| {
                Discovery::Unavailable(format!(
                    "cannot reach {} at {}: {}",
                    p.name,
                    redact_userinfo(&p.base_url),
                    root_cause(&e.without_url())
                ))
            })?;
        match resp.status().as_u16() {
            200..=299 => {}
            code @ (401 | 403) => {
                return Err(Discovery::Unavailable(key_rejected(&p.name, code)));
            }
            404 | 405 | 501 => return Err(Discovery::NotOffered),
            s => {
                return Err(Discovery::Unavailable(format!(
                    "{} answered HTTP {s}",
                    p.name
                )));
            }
        }
        let body = resp.bytes().await.map_err(|_| Discovery::NotOffered)?;
        Ok(wire.model_names(&body))
    };
    match tokio::time::timeout(timeout, ask).await {
        Ok(r) => r,
        Err(_) => Err(Discovery::Unavailable(format!(
            "{} did not answer within {} s",
            p.name,
            timeout.as_secs_f64()
        ))),
    }
}

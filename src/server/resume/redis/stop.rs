//! Stop across instances: `POST /api/reports/{id}/stop` on any instance sets the
//! report's stop flag (for a producer that has not claimed the id yet) and publishes the
//! id on one channel; every instance listens on it from before it serves its first
//! request (a subscription made later would miss the Stops sent before it), and the one
//! producing the report cancels it at once.

use std::time::Duration;

use ::redis::RedisError;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{
    SetupError, Shared,
    entry::{Keys, STOP_CHANNEL},
    mirror::millis,
};

impl Shared {
    /// Stop for `id`, wherever it runs or will run in the next grace period.
    pub async fn stop(&self, id: &str) -> Result<(), RedisError> {
        ::redis::pipe()
            .cmd("SET")
            .arg(Keys::of(id).stop)
            .arg(1)
            .arg("PX")
            .arg(millis(self.grace))
            .ignore()
            .cmd("PUBLISH")
            .arg(STOP_CHANNEL)
            .arg(id)
            .ignore()
            .query_async(&mut self.conn())
            .await
    }
}

/// Subscribes to Stops now, then hands each report id to `on_stop` until `shutdown`.
/// A lost subscription is made again (a Stop sent meanwhile is still in its flag, for
/// a producer that claims later; one that already runs misses it: the grace timer
/// still ends it).
pub async fn listen_for_stops(
    shared: &Shared,
    on_stop: impl Fn(&str) + Send + 'static,
    shutdown: CancellationToken,
) -> Result<(), SetupError> {
    let client = shared.client.clone();
    let mut pubsub = subscribe(&client).await.map_err(SetupError::Connect)?;
    tokio::spawn(async move {
        loop {
            let mut messages = pubsub.into_on_message();
            loop {
                let message = tokio::select! {
                    m = messages.next() => m,
                    () = shutdown.cancelled() => return,
                };
                let Some(message) = message else { break };
                if let Ok(id) = message.get_payload::<String>() {
                    on_stop(&id);
                }
            }
            tracing::warn!("the Stop subscription to Redis was lost; subscribing again");
            pubsub = loop {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                    () = shutdown.cancelled() => return,
                }
                match subscribe(&client).await {
                    Ok(p) => break p,
                    Err(e) => tracing::warn!(error = %e, "Redis subscription failed"),
                }
            };
        }
    });
    Ok(())
}

async fn subscribe(client: &::redis::Client) -> Result<::redis::aio::PubSub, RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(STOP_CHANNEL).await?;
    Ok(pubsub)
}

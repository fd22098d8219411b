//! Merges response-body frames that are already waiting into one write.
//!
//! axum's `Sse` makes each event its own body frame, and hyper writes each frame (up to
//! 16 queued ones per `writev`), so a fast model costs a system call and a wake-up every
//! few tokens. This wrapper passes the first frame through as soon as it is ready and
//! then takes only frames that are *already* ready, so a lone token is never delayed,
//! while a burst leaves in one write. `StreamExt::ready_chunks` does the taking but
//! allocates a `Vec` per batch even for one frame, and still leaves the concatenation
//! to do, so this small adapter is written here.

use std::{
    pin::Pin,
    task::{Context, Poll, ready},
};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;

/// The largest merged write; beyond it the next frames wait for the next poll.
pub const MAX_BATCH: usize = 32 * 1024;

pub struct Coalesce<S, E> {
    inner: S,
    /// An error or the end, met while merging, handed out on the next poll.
    carried: Option<Option<Result<Bytes, E>>>,
}

impl<S, E> Coalesce<S, E> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            carried: None,
        }
    }
}

impl<S, E> Stream for Coalesce<S, E>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(item) = self.carried.take() {
            return Poll::Ready(item);
        }
        let first = match ready!(Pin::new(&mut self.inner).poll_next(cx)) {
            Some(Ok(bytes)) => bytes,
            other => return Poll::Ready(other),
        };
        let mut merged: Option<BytesMut> = None;
        while merged.as_ref().map_or(first.len(), BytesMut::len) < MAX_BATCH {
            match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(Some(Ok(next))) => merged
                    .get_or_insert_with(|| BytesMut::from(&first[..]))
                    .extend_from_slice(&next),
                Poll::Ready(other) => {
                    self.carried = Some(other);
                    break;
                }
            }
        }
        Poll::Ready(Some(Ok(merged.map_or(first, BytesMut::freeze))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{StreamExt, stream};

    type Item = Result<Bytes, &'static str>;

    fn frame(s: &str) -> Item {
        Ok(Bytes::from(s.to_owned()))
    }

    /// A stream that yields its script in order, answering `Pending` once (and waking
    /// itself) wherever the script says `None`.
    fn scripted(script: Vec<Option<Item>>) -> impl Stream<Item = Item> + Unpin {
        let mut script = script.into_iter();
        stream::poll_fn(move |cx| match script.next() {
            Some(Some(item)) => Poll::Ready(Some(item)),
            Some(None) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            None => Poll::Ready(None),
        })
    }

    async fn collect(script: Vec<Option<Item>>) -> Vec<Item> {
        Coalesce::new(scripted(script)).collect().await
    }

    #[tokio::test]
    async fn ready_frames_merge_and_a_pending_poll_ends_the_batch() {
        let out = collect(vec![
            Some(frame("a")),
            Some(frame("b")),
            None,
            Some(frame("c")),
        ])
        .await;
        assert_eq!(out, [frame("ab"), frame("c")]);
    }

    #[tokio::test]
    async fn a_lone_frame_passes_through_unchanged() {
        let out = collect(vec![Some(frame("only")), None]).await;
        assert_eq!(out, [frame("only")]);
    }

    #[tokio::test]
    async fn an_error_is_delivered_after_the_frames_before_it() {
        let out = collect(vec![
            Some(frame("a")),
            Some(frame("b")),
            Some(Err("boom")),
            Some(frame("c")),
        ])
        .await;
        assert_eq!(out, [frame("ab"), Err("boom"), frame("c")]);
    }

    #[tokio::test]
    async fn batches_stop_at_the_size_limit() {
        let big = "x".repeat(MAX_BATCH / 2);
        let script = (0..5).map(|_| Some(frame(&big))).collect();
        let out = collect(script).await;
        let sizes: Vec<usize> = out.iter().map(|r| r.as_ref().unwrap().len()).collect();
        assert_eq!(sizes, [MAX_BATCH, MAX_BATCH, MAX_BATCH / 2]);
        assert_eq!(
            sizes.iter().sum::<usize>(),
            5 * MAX_BATCH / 2,
            "nothing lost"
        );
    }
}

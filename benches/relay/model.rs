//! The benchmark's model: the one fake model server (`tests/support/fake_model.rs`)
//! answering as an OpenAI-compatible model that streams real chat-completion chunks
//! (`data: {…"delta":{"content":…}}` … `data: [DONE]`). Each request carries its own
//! [`Plan`] inside the contract text, so one server serves every scenario. Paced tokens
//! carry their send time (nanoseconds on the shared clock) as their text, and the fake
//! records when each client hangs up.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use crate::{
    fake_model::{FakeModel, ModelRequest, Paced, Script, Step},
    util::{instant_of, ns_of},
};

/// What the model does for one request; sent inside the contract text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Names the stream, e.g. to find its hang-up time.
    pub id: u64,
    /// Content tokens to send.
    pub tokens: u64,
    /// Pause between tokens in µs; 0 sends fixed words as fast as the socket takes them.
    pub gap_us: u64,
    /// Shared-clock time of the first paced token; 0 starts at once.
    pub start_ns: u64,
    /// After the tokens, send nothing more and keep the connection open.
    pub hang: bool,
}

const MARK: &[u8] = b"@@bench ";

impl Plan {
    /// A contract whose text tells the fake model this plan.
    pub fn contract(&self) -> String {
        format!(
            "// @@bench id={} n={} gap_us={} start_ns={} hang={}@@\ncontract Bench {{}}\n",
            self.id, self.tokens, self.gap_us, self.start_ns, self.hang as u8
        )
    }

    /// Finds the plan in a request body (the relay's prompt or our direct request).
    fn find(body: &[u8]) -> Option<Self> {
        let at = body.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
        let rest = &body[at..];
        let end = rest.windows(2).position(|w| w == b"@@")?;
        let mut plan = Plan::default();
        for pair in std::str::from_utf8(&rest[..end]).ok()?.split_whitespace() {
            let (k, v) = pair.split_once('=')?;
            let v: u64 = v.parse().ok()?;
            match k {
                "id" => plan.id = v,
                "n" => plan.tokens = v,
                "gap_us" => plan.gap_us = v,
                "start_ns" => plan.start_ns = v,
                "hang" => plan.hang = v != 0,
                _ => return None,
            }
        }
        Some(plan)
    }
}

/// A running fake model; its accept loop stops when this is dropped.
pub struct Model {
    pub addr: SocketAddr,
    fake: FakeModel,
}

impl Model {
    pub async fn start() -> Self {
        let fake = FakeModel::respond_with(None, |req| match plan_of(req) {
            Some(plan) => script(&plan),
            None => Script::error(400, r#"{"error":{"message":"no bench plan"}}"#),
        })
        .await;
        Self {
            addr: fake.addr,
            fake,
        }
    }

    /// The base URL the relay is configured with.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.fake.base_url())
    }

    /// Upstream connections open now (held streams included).
    pub fn open_responses(&self) -> usize {
        self.fake.open_connections()
    }

    /// Returns and resets the largest schedule lag of paced tokens so far.
    pub fn take_max_lag_ns(&self) -> u64 {
        u64::try_from(self.fake.take_max_lag().as_nanos()).unwrap_or(u64::MAX)
    }

    /// When the client of stream `id` hung up, waiting up to `limit` for it.
    pub async fn hang_up_time(&self, id: u64, limit: Duration) -> Option<u64> {
        let at = self
            .fake
            .hang_up(limit, |req| plan_of(req).is_some_and(|p| p.id == id))
            .await?;
        Some(ns_of(at))
    }
}

/// The plan inside a request: the relay's prompt or our direct request.
fn plan_of(req: &ModelRequest) -> Option<Plan> {
    Plan::find(req.body.to_string().as_bytes())
}

/// The fake model's answer to `plan`: the tokens, then (unless hanging) the finish
/// chunk and `[DONE]`.
fn script(plan: &Plan) -> Script {
    let mut steps = Vec::new();
    if plan.gap_us == 0 {
        // As fast as possible: ~16 KB writes, each one HTTP chunk of many events.
        let mut payload = Vec::with_capacity(20 * 1024);
        let mut per = 0;
        while payload.len() < 16 * 1024 && per < plan.tokens {
            push_delta(&mut payload, WORDS[(per % WORDS.len() as u64) as usize]);
            per += 1;
        }
        if let Some(times) = plan.tokens.checked_div(per) {
            steps.push(Step::Repeat(payload, times as usize));
            let mut rest = Vec::new();
            for i in 0..plan.tokens % per {
                push_delta(&mut rest, WORDS[(i % WORDS.len() as u64) as usize]);
            }
            if !rest.is_empty() {
                steps.push(Step::Send(rest));
            }
        }
    } else {
        steps.push(Step::Paced(Paced {
            start: (plan.start_ns > 0).then(|| instant_of(plan.start_ns)),
            every: Duration::from_micros(plan.gap_us),
            count: plan.tokens,
            chunk: Arc::new(|at| {
                let mut out = Vec::with_capacity(256);
                push_delta(&mut out, &format!("{} ", ns_of(at)));
                out
            }),
        }));
    }
    if plan.hang {
        steps.push(Step::Hang);
    } else {
        let mut fin = Vec::new();
        push_finish(&mut fin);
        steps.push(Step::Send(fin));
    }
    Script::stream("text/event-stream", steps)
}

/// Report-like token texts for the fast mode, already JSON-escaped.
const WORDS: [&str; 10] = [
    "## ", "Re", "entr", "ancy", " in", " `", "withdraw", "()`", " is", ".\\n",
];

/// One chat-completion chunk carrying `content` (JSON-escaped), as OpenAI sends it.
fn push_delta(out: &mut Vec<u8>, content: &str) {
    out.extend_from_slice(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\
\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"",
    );
    out.extend_from_slice(content.as_bytes());
    out.extend_from_slice(b"\"},\"finish_reason\":null}]}\n\n");
}

/// The finish chunk and the `[DONE]` terminator.
fn push_finish(out: &mut Vec<u8>) {
    out.extend_from_slice(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\
\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\
\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
    );
}

//! Verdicts on the wire, through the real app over TCP with a fake OpenAI-compatible model:
//! each finding's `finding` event leaves as soon as its block is complete (before the next
//! tokens, always before `done`), a false finding is marked with its reason, the analyzer's
//! findings guide the prompt and join the report, and both can be switched off.

mod support;

use std::time::Duration;

use auditstream::protocol::{FindingCheck, ReportEvent};
use auditstream::report::{FoundBy, Verdict};
use serde_json::json;
use support::fake_model::{FakeModel, Script, Step, openai_delta, openai_finish};
use support::{EventReader, assert_well_formed, post_report, read_events, start_openai_app};

const WAIT: Duration = Duration::from_secs(20);

const CONTRACT: &str = include_str!("../testdata/verify/contracts/Lottery.sol");

/// Two findings: draw's weak randomness is real (line 25), `setJackpot` does not exist.
const REPORT: [&str; 3] = [
    "# Security report: Lottery.sol\n\n## Findings\n\n### 1. Weak randomness in `draw()`\n",
    "- **Severity:** High\n- **Line:** 25\n\nThe seed is the last block's hash.\n\n",
    "### 2. Missing event in `setJackpot()`\n- **Severity:** Low\n- **Line:** 41\n",
];

fn model_stream(paused_after_block: Duration) -> Script {
    let mut steps = vec![
        Step::Send(openai_delta(REPORT[0])),
        Step::Send(openai_delta(REPORT[1])),
        Step::Send(openai_delta(REPORT[2])),
        // The model pauses here: the first finding's verdict must not wait for it.
        Step::Pause(paused_after_block),
    ];
    steps.push(Step::Send(openai_finish("stop", 30)));
    Script::stream("text/event-stream", steps)
}

fn checks(events: &[auditstream::protocol::DecodedEvent]) -> Vec<FindingCheck> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            ReportEvent::Finding(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn verdicts_stream_with_the_report_and_the_analyzer_joins_it() {
    let fake = FakeModel::start(model_stream(Duration::from_millis(1))).await;
    let app = start_openai_app(&fake, &[]).await;
    let resp = post_report(
        app.addr,
        json!({"contract": CONTRACT, "filename": "Lottery.sol"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    let got = checks(&events);
    let model: Vec<&FindingCheck> = got.iter().filter(|c| c.report_line.is_some()).collect();
    assert_eq!(model.len(), 2, "{got:#?}");
    assert_eq!(
        (model[0].id.as_str(), model[0].verdict, model[0].found_by),
        ("1", Verdict::Confirmed, FoundBy::Both),
        "{}",
        model[0].reason
    );
    assert_eq!(model[0].report_line, Some(5));
    assert_eq!(model[1].verdict, Verdict::Unverified);
    // Each event carries the finding as parsed, with its verdict.
    let parsed = model[1].finding.as_ref().expect("the parsed finding");
    assert_eq!(
        (parsed.title.as_str(), parsed.verdict),
        ("Missing event in `setJackpot()`", Some(Verdict::Unverified))
    );
    assert_eq!(parsed.locations[0].line, 41);
    assert_eq!(model[1].reason, "no function `setJackpot` in Lottery.sol");
    // The analyzer's findings the model did not write come whole, after the model's.
    let joined: Vec<&FindingCheck> = got.iter().filter(|c| c.report_line.is_none()).collect();
    assert!(!joined.is_empty());
    for c in &joined {
        let f = c.finding.as_ref().expect("the whole finding");
        assert_eq!(
            (c.found_by, f.found_by),
            (FoundBy::Analyzer, Some(FoundBy::Analyzer))
        );
        assert!(
            f.rule != "weak-randomness",
            "the randomness was the model's: {f:#?}"
        );
    }
    // The analyzer guided the model: its candidates are in the prompt, after the contract.
    let user = fake.received()[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = user
        .find("An offline static analyzer flagged")
        .expect("candidates");
    assert!(at > user.find("END-CONTRACT").unwrap());
    assert!(user[at..].contains("weak-randomness"), "{}", &user[at..]);
}

#[tokio::test]
async fn a_finished_block_s_verdict_leaves_before_the_model_goes_on() {
    // The model stops writing after the second heading and never finishes: finding 1 is
    // complete, so its verdict is due now, not at an end that never comes.
    let fake = FakeModel::start(Script::stream(
        "text/event-stream",
        vec![
            Step::Send(openai_delta(REPORT[0])),
            Step::Send(openai_delta(REPORT[1])),
            Step::Send(openai_delta(REPORT[2])),
            Step::Hang,
        ],
    ))
    .await;
    let app = start_openai_app(&fake, &[]).await;
    let resp = post_report(
        app.addr,
        json!({"contract": CONTRACT, "filename": "Lottery.sol"}),
    )
    .await;
    let mut reader = EventReader::new(resp);
    let first = loop {
        let ev = reader
            .next(WAIT)
            .await
            .expect("the verdict, while the model is silent");
        assert!(!ev.event.is_terminal(), "the stream ended: {ev:?}");
        if let ReportEvent::Finding(c) = ev.event {
            break c;
        }
    };
    assert_eq!(
        (first.id.as_str(), first.verdict),
        ("1", Verdict::Confirmed)
    );
    // Stop: the model's connection closes.
    drop(reader);
    fake.wait_for(WAIT, "the model's connection to close", |_, closed| {
        closed == 1
    })
    .await;
}

#[tokio::test]
async fn verification_and_guidance_can_be_switched_off() {
    let fake = FakeModel::start(model_stream(Duration::from_millis(1))).await;
    let app = start_openai_app(
        &fake,
        &[
            ("AUDITSTREAM_VERIFY_FINDINGS", "off"),
            ("AUDITSTREAM_ANALYZER_GUIDES", "off"),
        ],
    )
    .await;
    let resp = post_report(
        app.addr,
        json!({"contract": CONTRACT, "filename": "Lottery.sol"}),
    )
    .await;
    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    assert!(checks(&events).is_empty());
    let user = fake.received()[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!user.contains("static analyzer"), "{user}");
}

#[tokio::test]
async fn the_builtin_analyzer_s_own_report_is_not_checked_against_itself() {
    let app = support::start_app(support::settings(&[("AUDITSTREAM_BUILTIN_PACE_MS", "0")])).await;
    let resp = post_report(
        app.addr,
        json!({"contract": CONTRACT, "filename": "Lottery.sol"}),
    )
    .await;
    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    assert!(checks(&events).is_empty());
}

//! History through the real app over TCP, on SQLite and PostgreSQL: each report a client
//! streams is saved with the right status and exactly the text it received (done, Stop,
//! an upstream error, a server shutdown), is readable by its id, and the history server
//! functions show and delete only the caller's own reports.

#[path = "history_support/mod.rs"]
mod history_support;
mod support;

use std::time::Duration;

use auditstream::{
    history::{HistoryPage, StoredReport},
    protocol::ReportEvent,
    server::AppState,
};
use history_support::{TestDb, eventually};
use reqwest::header;
use support::fake_model::{FakeModel, Script, Step, openai_delta, openai_finish};

const WAIT: Duration = Duration::from_secs(20);

fn sse(steps: Vec<Step>) -> Script {
    Script::stream("text/event-stream", steps)
}

async fn app(fake: &FakeModel, db: &TestDb, extra: &[(&str, &str)]) -> support::TestApp {
    let base = format!("{}/v1", fake.base_url());
    let mut vars = vec![
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", base.as_str()),
        ("AUDITSTREAM_MODEL", "m"),
        ("AUDITSTREAM_DATABASE_URL", db.url.as_str()),
        ("AUDITSTREAM_HISTORY_BATCH_MS", "20"),
    ];
    vars.extend_from_slice(extra);
    let state = AppState::new(support::settings(&vars))
        .with_history()
        .await
        .expect("history opens");
    support::start_app_with(state).await
}

/// POSTs a report as the browser holding `cookie` (none: a first visit).
async fn post(app: &support::TestApp, cookie: Option<&str>) -> reqwest::Response {
    let mut req = support::client()
        .post(format!("http://{}/api/report", app.addr))
        .json(&serde_json::json!({"contract": "pragma solidity ^0.8.0; contract A {}", "filename": "A.sol"}));
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

/// The `name=value` part of the owner cookie a response sets.
fn owner_cookie(resp: &reqwest::Response) -> String {
    let set = resp
        .headers()
        .get(header::SET_COOKIE)
        .expect("a first visit gets an owner cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

fn report_id(events: &[auditstream::protocol::DecodedEvent]) -> String {
    match &events[0].event {
        ReportEvent::Meta(m) => m.report_id.clone(),
        other => panic!("meta first, got {other:?}"),
    }
}

/// `GET /api/reports/{id}` once it shows `status`.
async fn saved(app: &support::TestApp, id: &str, status: &str) -> serde_json::Value {
    let url = format!("http://{}/api/reports/{id}", app.addr);
    eventually(WAIT, &format!("report {id} {status}"), || async {
        let resp = support::client().get(&url).send().await.unwrap();
        if resp.status() != 200 {
            return None;
        }
        let v: serde_json::Value = resp.json().await.unwrap();
        (v["status"] == status).then_some(v)
    })
    .await
}

/// Calls a history server function as the browser holding `cookie`.
async fn server_fn(
    app: &support::TestApp,
    name: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    support::client()
        .post(format!("http://{}/api/history/{name}", app.addr))
        .header(header::COOKIE, cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

on_both_backends!(
    a_finished_report_is_saved_and_readable_by_its_id,
    stop_saves_exactly_the_text_the_reader_got,
    an_upstream_error_saves_the_partial_text_and_the_error,
    a_shutdown_marks_the_report_interrupted,
    owners_see_and_delete_only_their_own_reports,
    a_report_with_its_own_id_is_saved_under_it_and_the_id_never_runs_twice,
    stop_by_id_saves_the_text_so_far_as_stopped,
    a_project_is_saved_with_its_files_from_json_or_a_zip,
);

const REPORT: &str = "# Security report: A.sol\n\n## Summary\nOne issue.\n\n## Findings\n\n\
### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** 1\n- **Detector:** reentrancy\n\n\
**Explanation.** State is written after the call.\n\n**Recommendation.** Update first.\n";

async fn a_finished_report_is_saved_and_readable_by_its_id(db: TestDb) {
    let (head, tail) = REPORT.split_at(60);
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta(head)),
        Step::Send(openai_delta(tail)),
        Step::Send(openai_finish("stop", 2)),
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let resp = post(&app, None).await;
    owner_cookie(&resp);
    let events = support::read_events(resp, WAIT).await;
    support::assert_well_formed(&events);
    let id = report_id(&events);
    let r = saved(&app, &id, "done").await;
    assert_eq!(r["text"], support::text_of(&events));
    assert_eq!(r["text"], REPORT);
    // The findings JSON export of the text, plus the row.
    assert_eq!(r["schema"], "auditstream.report/1");
    assert_eq!(r["model"], "openai/m");
    assert_eq!(r["findings"].as_array().unwrap().len(), 1);
    assert_eq!(r["findings"][0]["severity"], "High");
    // `contract A {}` makes no call: the stored finding keeps the verdict it streamed
    // with, and a finding that cannot hold is not counted.
    assert_eq!(r["findings"][0]["verdict"], "contradicted");
    assert_eq!(r["counts"]["high"], 0);
    assert_eq!(r["contract"]["name"], "A.sol");
    assert_eq!(r["contract"]["language"], "Solidity");
    assert_eq!(r["source"], "pragma solidity ^0.8.0; contract A {}");
    assert_eq!(r["timings"]["output_tokens"], 2);
    // The stored figures are the ones the reader was sent in `done`.
    let Some(ReportEvent::Done(done)) = events.last().map(|e| &e.event) else {
        panic!("no done event: {events:?}");
    };
    assert_eq!(r["timings"]["duration_ms"], done.duration_ms);
    assert_eq!(r["timings"]["ttft_ms"], done.ttft_ms.unwrap());
    assert!(r["created_ms"].is_i64());
    assert!(r["error"].is_null());
    let missing = support::client()
        .get(format!(
            "http://{}/api/reports/{}",
            app.addr,
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(support::error_code(missing).await, "not_found");
    let m = app.metrics().await;
    assert_eq!(
        support::metric(&m, "auditstream_history_saved_total"),
        Some(1.0)
    );
}

async fn stop_saves_exactly_the_text_the_reader_got(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("one ")),
        Step::Send(openai_delta("two ")),
        Step::Hang,
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let mut reader = support::EventReader::new(post(&app, None).await);
    let mut events = Vec::new();
    while support::text_of(&events) != "one two " {
        events.push(reader.next(WAIT).await.expect("more events"));
    }
    // Stop: the browser drops the connection.
    drop(reader);
    let r = saved(&app, &report_id(&events), "stopped").await;
    assert_eq!(r["text"], "one two ");
    assert!(r["error"].is_null());
}

async fn an_upstream_error_saves_the_partial_text_and_the_error(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("half ")),
        Step::Send(openai_delta("a report")),
        Step::Cut,
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let events = support::read_events(post(&app, None).await, WAIT).await;
    assert!(matches!(
        events.last().unwrap().event,
        ReportEvent::Error(_)
    ));
    let r = saved(&app, &report_id(&events), "failed").await;
    assert_eq!(r["text"], support::text_of(&events));
    assert_eq!(r["text"], "half a report");
    assert_eq!(r["error"]["code"], "truncated");
}

async fn a_shutdown_marks_the_report_interrupted(db: TestDb) {
    let fake = FakeModel::start(sse(vec![Step::Send(openai_delta("before ")), Step::Hang])).await;
    let app = app(&fake, &db, &[("AUDITSTREAM_SHUTDOWN_GRACE_SECS", "0")]).await;
    let events_resp = post(&app, None).await;
    let mut reader = support::EventReader::new(events_resp);
    let mut events = vec![
        reader.next(WAIT).await.unwrap(),
        reader.next(WAIT).await.unwrap(),
    ];
    let store = app.state.history.clone().unwrap().store;
    app.shutdown();
    events.extend(reader.rest(WAIT).await);
    match &events.last().unwrap().event {
        ReportEvent::Error(e) => assert_eq!(e.code.as_str(), "shutdown"),
        other => panic!("a shutdown error, got {other:?}"),
    }
    // `serve` flushes the writer before it returns.
    app.stopped(WAIT).await;
    let r = store.get(&report_id(&events)).await.unwrap().unwrap();
    assert_eq!(r.status.as_str(), "interrupted");
    assert_eq!(r.text, "before ");
    assert_eq!(r.error.unwrap().code, "shutdown");
}

async fn owners_see_and_delete_only_their_own_reports(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("mine")),
        Step::Send(openai_finish("stop", 1)),
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let resp = post(&app, None).await;
    let alice = owner_cookie(&resp);
    let id = report_id(&support::read_events(resp, WAIT).await);
    saved(&app, &id, "done").await;
    // Bob's first visit gives him his own cookie.
    let page = support::client()
        .get(format!("http://{}/metrics", app.addr))
        .send()
        .await
        .unwrap();
    let bob = owner_cookie(&page);
    assert_ne!(alice, bob);

    let list = |cookie: String| {
        let app = &app;
        async move {
            let resp = server_fn(app, "list", &cookie, &[("query[page]", "0")]).await;
            assert_eq!(resp.status(), 200);
            resp.json::<HistoryPage>().await.unwrap()
        }
    };
    let mine = list(alice.clone()).await;
    assert_eq!(mine.total, 1);
    assert_eq!(mine.reports[0].id, id);
    assert_eq!(
        list(bob.clone()).await.total,
        0,
        "Bob sees none of Alice's reports"
    );

    // The id is a capability: Bob may read the report he was given the link to...
    let got = server_fn(&app, "get", &bob, &[("id", &id)]).await;
    let got: Option<StoredReport> = got.json().await.unwrap();
    assert_eq!(got.unwrap().text, "mine");
    // ...but not delete it.
    let del = server_fn(&app, "delete", &bob, &[("id", &id)]).await;
    assert!(!del.json::<bool>().await.unwrap());
    saved(&app, &id, "done").await;

    // Another site cannot call the server functions with Alice's cookie.
    let cross = support::client()
        .post(format!("http://{}/api/history/delete", app.addr))
        .header(header::COOKIE, &alice)
        .header(header::ORIGIN, "http://evil.example")
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    saved(&app, &id, "done").await;

    let del = server_fn(&app, "delete", &alice, &[("id", &id)]).await;
    assert!(del.json::<bool>().await.unwrap());
    let gone = support::client()
        .get(format!("http://{}/api/reports/{id}", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(list(alice).await.total, 0);
}

#[tokio::test]
async fn with_history_off_nothing_is_kept_and_no_cookie_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("x")),
        Step::Send(openai_finish("stop", 1)),
    ]))
    .await;
    let base = format!("{}/v1", fake.base_url());
    let state = AppState::new(support::settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", base.as_str()),
        ("AUDITSTREAM_HISTORY", "off"),
        ("AUDITSTREAM_DATA_DIR", data.to_str().unwrap()),
    ]))
    .with_history()
    .await
    .unwrap();
    assert!(state.history.is_none());
    let app = support::start_app_with(state).await;
    let resp = post(&app, None).await;
    assert!(resp.headers().get(header::SET_COOKIE).is_none());
    let events = support::read_events(resp, WAIT).await;
    let id = report_id(&events);
    let r = support::client()
        .get(format!("http://{}/api/reports/{id}", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(support::error_code(r).await, "history_off");
    assert!(!data.exists(), "no data directory, no database");
}

/// POSTs a report that brings its own `report_id`.
async fn post_with_id(app: &support::TestApp, id: &str) -> reqwest::Response {
    support::client()
        .post(format!("http://{}/api/report", app.addr))
        .json(&serde_json::json!({"contract": "contract A {}", "report_id": id}))
        .send()
        .await
        .unwrap()
}

async fn a_report_with_its_own_id_is_saved_under_it_and_the_id_never_runs_twice(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("all ")),
        Step::Send(openai_delta("of it")),
        Step::Send(openai_finish("stop", 2)),
    ]))
    .await;
    let app = app(&fake, &db, &[("AUDITSTREAM_RESUME_GRACE_SECS", "0.05")]).await;
    let id = uuid::Uuid::new_v4().to_string();
    let resp = post_with_id(&app, &id).await;
    assert_eq!(resp.status(), 200);
    let events = support::read_events(resp, WAIT).await;
    support::assert_well_formed(&events);
    assert_eq!(report_id(&events), id);
    let r = saved(&app, &id, "done").await;
    assert_eq!(r["text"], "all of it");
    // Once the server has forgotten it (no reader for the grace period), the id is
    // still taken: history holds it.
    let url = format!("http://{}/api/reports/{id}/events", app.addr);
    eventually(WAIT, "the finished report forgotten", || async {
        let resp = support::client().get(&url).send().await.unwrap();
        (resp.status() == 404).then_some(())
    })
    .await;
    let again = post_with_id(&app, &id).await;
    assert_eq!(again.status(), 409);
    assert_eq!(support::error_code(again).await, "report_id_taken");
    assert_eq!(fake.received().len(), 1);
}

async fn stop_by_id_saves_the_text_so_far_as_stopped(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta("one ")),
        Step::Send(openai_delta("two ")),
        Step::Hang,
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let id = uuid::Uuid::new_v4().to_string();
    let mut reader = support::EventReader::new(post_with_id(&app, &id).await);
    let mut events = Vec::new();
    while support::text_of(&events) != "one two " {
        events.push(reader.next(WAIT).await.expect("more events"));
    }
    // The connection going away is not Stop any more; the stop route is.
    drop(reader);
    let stop = support::client()
        .post(format!("http://{}/api/reports/{id}/stop", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), 204);
    fake.hang_up(WAIT, |_| true).await.expect("model closed");
    let r = saved(&app, &id, "stopped").await;
    assert_eq!(r["text"], "one two ");
    assert!(r["error"].is_null());
}

async fn a_project_is_saved_with_its_files_from_json_or_a_zip(db: TestDb) {
    let fake = FakeModel::start(sse(vec![
        Step::Send(openai_delta(REPORT)),
        Step::Send(openai_finish("stop", 1)),
    ]))
    .await;
    let app = app(&fake, &db, &[]).await;
    let files = support::projects::project_files("foundry-vault");
    let body = serde_json::json!({
        "files": support::projects::as_json(&files),
        "exclude": ["src/VaultBase.sol"],
    });
    let resp = support::client()
        .post(format!("http://{}/api/report", app.addr))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = owner_cookie(&resp);
    let events = support::read_events(resp, WAIT).await;
    let id = report_id(&events);
    let r = saved(&app, &id, "done").await;
    // Every file as sent, by path and text, and the export lists them with their hashes.
    let sources = r["sources"].as_array().expect("a project's sources");
    assert_eq!(sources, &support::projects::as_json(&files));
    let listed: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let sent: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(listed, sent);
    assert_eq!(r["source"], "");
    // The page's Run again reads the stored report through the server function.
    let stored: StoredReport = server_fn(&app, "get", &cookie, &[("id", id.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored.files.len(), files.len());
    assert_eq!(stored.exclude, ["src/VaultBase.sol"]);
    assert!(stored.filename.is_some(), "the history lists it by a name");

    // The same project as a zip under a folder: stored by its paths in the archive.
    let zip = support::projects::zip_of("vault/", &files);
    let resp = support::client()
        .post(format!("http://{}/api/report", app.addr))
        .header(header::CONTENT_TYPE, "application/zip")
        .header(header::COOKIE, &cookie)
        .body(zip)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let events = support::read_events(resp, WAIT).await;
    let zipped = saved(&app, &report_id(&events), "done").await;
    let paths: Vec<&str> = zipped["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|p| p.starts_with("vault/")), "{paths:?}");
    assert_eq!(zipped["contract"]["name"], "vault");
}

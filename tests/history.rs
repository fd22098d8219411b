//! The history store and its batch writer against real databases: every test runs on a
//! SQLite file and on PostgreSQL (`on_both_backends!`).

#[path = "history_support/mod.rs"]
mod history_support;

use std::time::Duration;

use auditstream::{
    history::{DEFAULT_PAGE_SIZE, HistoryQuery, ReportStatus, SeverityCounts},
    report::Severity,
    server::{
        metrics::HistoryMetrics,
        store::{
            NewReport, Owner, SavedProgress, Store,
            writer::{Ending, Writer},
        },
    },
};
use history_support::{TestDb, eventually};
use sqlx::{Executor, Row};

const WAIT: Duration = Duration::from_secs(20);

fn new_report(owner: &Owner, created_ms: i64, filename: &str) -> NewReport {
    NewReport {
        id: uuid::Uuid::new_v4().to_string(),
        owner: owner.clone(),
        created_ms,
        contract: "# @version ^0.3.7\n@external\ndef f():\n    pass\n".into(),
        filename: Some(filename.into()),
        provider: "openai".into(),
        model: "gpt-test".into(),
        files: Vec::new(),
        scope: Vec::new(),
        exclude: Vec::new(),
    }
}

fn ended(status: ReportStatus) -> Ending {
    Ending {
        status,
        ttft_ms: Some(12),
        duration_ms: Some(345),
        output_tokens: Some(3),
        error: (status == ReportStatus::Failed)
            .then(|| ("upstream_error".to_owned(), "the model said no".to_owned())),
        checks: Vec::new(),
    }
}

on_both_backends!(
    a_report_round_trips_with_its_hash_and_language,
    the_list_is_per_owner_newest_first_filtered_and_paged,
    only_the_owner_deletes,
    rows_left_streaming_become_interrupted_with_their_text,
    pruning_deletes_only_old_reports,
    the_writer_commits_batches_before_the_end_and_the_end_at_once,
    a_locked_database_delays_saving_but_loses_and_reorders_nothing,
    a_report_the_database_refuses_is_counted_as_not_saved,
    starting_the_server_interrupts_orphans_and_prunes_by_age,
    a_project_is_stored_with_each_file_text_once_and_forgotten_with_its_reports,
);

async fn a_report_round_trips_with_its_hash_and_language(db: TestDb) {
    let store = db.store().await;
    let owner = Owner::from_token("a");
    let new = new_report(&owner, 1_000, "Kill.vy");
    store.insert(&new).await.unwrap();
    let fresh = store.get(&new.id).await.unwrap().expect("inserted");
    assert_eq!(fresh.status, ReportStatus::Streaming);
    assert_eq!(
        (fresh.text.as_str(), fresh.language.as_str()),
        ("", "Vyper")
    );
    assert_eq!(fresh.contract, new.contract);
    assert_eq!(fresh.contract_sha256.len(), 64);
    let findings = r#"{"schema":"auditstream.report/1","findings":[]}"#;
    let counts = SeverityCounts {
        high: 2,
        gas: 1,
        ..Default::default()
    };
    store
        .update(
            &new.id,
            &SavedProgress {
                status: Some(ReportStatus::Failed),
                text: "## Summary\nhalf ✓".into(),
                findings: Some((findings.into(), counts)),
                ttft_ms: Some(5),
                duration_ms: Some(60),
                output_tokens: Some(7),
                error: Some(("stalled".into(), "no bytes for 30 s".into())),
                checks: Some(
                    r#"[{"report_line":3,"id":"1","title":"Drain","verdict":"unverified","reason":"no function `x`","found_by":"model"}]"#
                        .into(),
                ),
            },
        )
        .await
        .unwrap();
    let r = store.get(&new.id).await.unwrap().unwrap();
    assert_eq!(r.status, ReportStatus::Failed);
    assert_eq!(r.text, "## Summary\nhalf ✓");
    assert_eq!(r.counts, counts);
    assert_eq!(r.findings.unwrap()["schema"], "auditstream.report/1");
    assert_eq!(
        (r.ttft_ms, r.duration_ms, r.output_tokens),
        (Some(5), Some(60), Some(7))
    );
    assert_eq!(r.error.unwrap().code, "stalled");
    // The verdicts come back as the page needs them, not checked again.
    assert_eq!(r.checks.len(), 1);
    assert_eq!(
        (r.checks[0].verdict, r.checks[0].reason.as_str()),
        (auditstream::report::Verdict::Unverified, "no function `x`")
    );
    assert!(r.updated_ms >= r.created_ms);
    assert_eq!(store.get("no-such-id").await.unwrap(), None);
}

async fn the_list_is_per_owner_newest_first_filtered_and_paged(db: TestDb) {
    let store = db.store().await;
    let (alice, bob) = (Owner::from_token("alice"), Owner::from_token("bob"));
    let mut ids = Vec::new();
    for i in 0..25 {
        let name = if i % 5 == 0 {
            "Vault_1.sol"
        } else {
            "Token.sol"
        };
        let new = new_report(&alice, 10_000 + i, name);
        store.insert(&new).await.unwrap();
        let status = if i % 2 == 0 {
            ReportStatus::Done
        } else {
            ReportStatus::Stopped
        };
        let counts = SeverityCounts {
            critical: u32::from(i == 7),
            ..Default::default()
        };
        let progress = SavedProgress {
            status: Some(status),
            text: format!("report {i}"),
            findings: Some(("{}".into(), counts)),
            ..Default::default()
        };
        store.update(&new.id, &progress).await.unwrap();
        ids.push(new.id);
    }
    store
        .insert(&new_report(&bob, 50_000, "Vault_1.sol"))
        .await
        .unwrap();

    let first = store.list(&alice, &HistoryQuery::default()).await.unwrap();
    assert_eq!(first.total, 25);
    assert_eq!(first.reports.len(), DEFAULT_PAGE_SIZE as usize);
    assert_eq!(first.page_size, DEFAULT_PAGE_SIZE);
    let newest_first: Vec<&String> = ids.iter().rev().take(DEFAULT_PAGE_SIZE as usize).collect();
    assert_eq!(
        first.reports.iter().map(|r| &r.id).collect::<Vec<_>>(),
        newest_first
    );
    let second = store
        .list(
            &alice,
            &HistoryQuery {
                page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.reports.len(), 5);
    assert_eq!(second.reports.last().unwrap().id, ids[0]);

    // A page of one (`AUDITSTREAM_HISTORY_PAGE_SIZE=1`, the smallest): the 25th page is
    // the oldest report and the 26th is empty.
    let single = store.clone().with_page_size(1);
    let page = |page| HistoryQuery {
        page,
        ..Default::default()
    };
    let last = single.list(&alice, &page(24)).await.unwrap();
    assert_eq!((last.page_size, last.total), (1, 25));
    assert_eq!(
        last.reports.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&ids[0]]
    );
    assert!(
        single
            .list(&alice, &page(25))
            .await
            .unwrap()
            .reports
            .is_empty()
    );

    // `_` is matched literally, case is ignored.
    let by_name = HistoryQuery {
        filename: Some("vault_".into()),
        ..Default::default()
    };
    let vaults = store.list(&alice, &by_name).await.unwrap();
    assert_eq!(vaults.total, 5);
    assert!(
        vaults
            .reports
            .iter()
            .all(|r| r.filename.as_deref() == Some("Vault_1.sol"))
    );
    let none = HistoryQuery {
        filename: Some("vault%".into()),
        ..Default::default()
    };
    assert_eq!(store.list(&alice, &none).await.unwrap().total, 0);

    let stopped_vaults = HistoryQuery {
        status: Some(ReportStatus::Stopped),
        ..by_name.clone()
    };
    let got = store.list(&alice, &stopped_vaults).await.unwrap();
    assert_eq!(got.total, 2, "i = 5 and 15");
    let critical = HistoryQuery {
        severity: Some(Severity::Critical),
        ..Default::default()
    };
    let got = store.list(&alice, &critical).await.unwrap();
    assert_eq!(
        got.reports.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&ids[7]]
    );
    assert_eq!(got.reports[0].counts.critical, 1);

    let bobs = store.list(&bob, &HistoryQuery::default()).await.unwrap();
    assert_eq!(bobs.total, 1);
    assert!(!ids.contains(&bobs.reports[0].id));
}

async fn only_the_owner_deletes(db: TestDb) {
    let store = db.store().await;
    let (alice, mallory) = (Owner::from_token("alice"), Owner::from_token("mallory"));
    let new = new_report(&alice, 1, "A.sol");
    store.insert(&new).await.unwrap();
    assert!(!store.delete(&new.id, &mallory).await.unwrap());
    assert!(store.get(&new.id).await.unwrap().is_some());
    assert!(store.delete(&new.id, &alice).await.unwrap());
    assert_eq!(store.get(&new.id).await.unwrap(), None);
    assert!(!store.delete(&new.id, &alice).await.unwrap());
}

async fn rows_left_streaming_become_interrupted_with_their_text(db: TestDb) {
    let store = db.store().await;
    let owner = Owner::from_token("o");
    let (old, live, done) = (
        new_report(&owner, 1_000, "Old.sol"),
        new_report(&owner, 9_000, "Live.sol"),
        new_report(&owner, 500, "Done.sol"),
    );
    for n in [&old, &live, &done] {
        store.insert(n).await.unwrap();
    }
    let partial = SavedProgress {
        text: "## Summary\nThe contract".into(),
        ..Default::default()
    };
    store.update(&old.id, &partial).await.unwrap();
    let finished = SavedProgress {
        status: Some(ReportStatus::Done),
        text: "all".into(),
        ..Default::default()
    };
    store.update(&done.id, &finished).await.unwrap();
    drop(store);

    // A restart: migrations run again over the existing schema.
    let store = db.store().await;
    // Shared PostgreSQL: only rows older than any live report could be are touched.
    assert_eq!(store.interrupt_orphans(Some(5_000)).await.unwrap(), 1);
    let r = store.get(&old.id).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.text.as_str()),
        (ReportStatus::Interrupted, "## Summary\nThe contract")
    );
    assert_eq!(
        store.get(&live.id).await.unwrap().unwrap().status,
        ReportStatus::Streaming
    );
    assert_eq!(store.interrupt_orphans(None).await.unwrap(), 1);
    assert_eq!(
        store.get(&live.id).await.unwrap().unwrap().status,
        ReportStatus::Interrupted
    );
    assert_eq!(
        store.get(&done.id).await.unwrap().unwrap().status,
        ReportStatus::Done
    );
}

async fn pruning_deletes_only_old_reports(db: TestDb) {
    let store = db.store().await;
    let owner = Owner::from_token("o");
    let new = new_report(&owner, 1, "A.sol");
    store.insert(&new).await.unwrap();
    let now = auditstream::server::store::now_ms();
    // `updated_ms` of a fresh row is its creation time.
    assert_eq!(store.prune(1).await.unwrap(), 0);
    assert_eq!(store.prune(2).await.unwrap(), 1);
    let kept = new_report(&owner, now, "B.sol");
    store.insert(&kept).await.unwrap();
    assert_eq!(store.prune(now - 1).await.unwrap(), 0);
    assert!(store.get(&kept.id).await.unwrap().is_some());
}

fn writer(store: &Store, batch_ms: u64, queue: usize, retry: Duration) -> (Writer, HistoryMetrics) {
    let metrics = HistoryMetrics::default();
    let w = Writer::spawn(
        store.clone(),
        Duration::from_millis(batch_ms),
        queue,
        retry,
        metrics.clone(),
    );
    (w, metrics)
}

async fn the_writer_commits_batches_before_the_end_and_the_end_at_once(db: TestDb) {
    let store = db.store().await;
    // Text is committed every 30 ms while streaming, and the end at once.
    let (w, metrics) = writer(&store, 30, 64, WAIT);
    let owner = Owner::from_token("o");
    let new = new_report(&owner, 1, "A.sol");
    let id = new.id.clone();
    let mut rec = w.record(new);
    rec.token("## Sum");
    rec.token("mary\n");
    let text = eventually(WAIT, "the first batch", || async {
        let r = store.get(&id).await.unwrap()?;
        (r.text == "## Summary\n").then_some(r)
    })
    .await;
    assert_eq!(text.status, ReportStatus::Streaming);
    rec.token("Done.");
    rec.end(ended(ReportStatus::Done));
    let r = eventually(WAIT, "the end", || async {
        let r = store.get(&id).await.unwrap()?;
        (r.status == ReportStatus::Done).then_some(r)
    })
    .await;
    assert_eq!(r.text, "## Summary\nDone.");
    assert_eq!(
        (r.ttft_ms, r.duration_ms, r.output_tokens),
        (Some(12), Some(345), Some(3))
    );
    assert_eq!(r.error, None);
    // The row reads done once committed; the writer counts it just after.
    eventually(WAIT, "the end counted as saved", || async {
        (metrics.saved.get() == 1).then_some(())
    })
    .await;
    assert_eq!(metrics.write_errors.get(), 0);

    // A failed report keeps its partial text and its error.
    let new = new_report(&owner, 2, "B.sol");
    let id = new.id.clone();
    let mut rec = w.record(new);
    rec.token("half a");
    rec.end(ended(ReportStatus::Failed));
    w.flush().await;
    let r = store.get(&id).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.text.as_str()),
        (ReportStatus::Failed, "half a")
    );
    assert_eq!(r.error.unwrap().message, "the model said no");
}

/// Takes the table's write lock on a separate connection until the returned connection
/// commits.
async fn lock_reports(db: &TestDb) -> sqlx::pool::PoolConnection<sqlx::Any> {
    let locker = db.store().await;
    let mut conn = locker.pool().acquire().await.unwrap();
    if db.dir.is_some() {
        conn.execute("BEGIN IMMEDIATE").await.unwrap();
    } else {
        conn.execute("BEGIN").await.unwrap();
        conn.execute("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
    }
    conn
}

async fn a_locked_database_delays_saving_but_loses_and_reorders_nothing(db: TestDb) {
    let store = db.store().await;
    // A queue of one message: the relay side must hold text back rather than drop it.
    let (w, metrics) = writer(&store, 20, 1, Duration::from_secs(120));
    let mut lock = lock_reports(&db).await;
    let owner = Owner::from_token("o");
    let mut expected = String::new();
    let mut ids = Vec::new();
    for r in 0..3 {
        let new = new_report(&owner, r, "A.sol");
        ids.push(new.id.clone());
        let mut rec = w.record(new);
        for i in 0..200 {
            let t = format!("{r}:{i} ");
            rec.token(&t);
            if r == 0 {
                expected.push_str(&t);
            }
        }
        rec.end(ended(ReportStatus::Done));
    }
    assert!(metrics.queue_full.get() > 0, "the queue of one filled up");
    assert_eq!(
        metrics.saved.get(),
        0,
        "nothing can be written while locked"
    );
    lock.execute("COMMIT").await.unwrap();
    drop(lock);
    eventually(Duration::from_secs(60), "all three saved", || async {
        (metrics.saved.get() == 3).then_some(())
    })
    .await;
    let first = store.get(&ids[0]).await.unwrap().unwrap();
    assert_eq!((first.status, first.text), (ReportStatus::Done, expected));
    for id in &ids[1..] {
        let r = store.get(id).await.unwrap().unwrap();
        assert_eq!(r.text.split(' ').filter(|t| !t.is_empty()).count(), 200);
    }
    assert_eq!(metrics.unsaved.get(), 0);
}

async fn a_report_the_database_refuses_is_counted_as_not_saved(db: TestDb) {
    let store = db.store().await;
    let (w, metrics) = writer(&store, 20, 16, Duration::ZERO);
    store.pool().execute("DROP TABLE reports").await.unwrap();
    let mut rec = w.record(new_report(&Owner::from_token("o"), 1, "A.sol"));
    rec.token("lost");
    rec.end(ended(ReportStatus::Done));
    eventually(WAIT, "the report given up", || async {
        (metrics.unsaved.get() == 1).then_some(())
    })
    .await;
    assert!(metrics.write_errors.get() >= 1);
    assert_eq!(metrics.saved.get(), 0);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_normal_sync_in_a_created_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let settings = auditstream::server::store::HistorySettings {
        data_dir: dir.path().join("nested/data"),
        ..Default::default()
    };
    let store = Store::open(&settings).await.unwrap();
    assert!(dir.path().join("nested/data/auditstream.db").is_file());
    // Every pooled connection, not just the first.
    let mut conns = Vec::new();
    for _ in 0..3 {
        let mut c = store.pool().acquire().await.unwrap();
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .get(0);
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .get(0);
        assert_eq!((mode.as_str(), sync), ("wal", 1), "1 is NORMAL");
        conns.push(c);
    }
}

async fn starting_the_server_interrupts_orphans_and_prunes_by_age(db: TestDb) {
    let store = db.store().await;
    let owner = Owner::from_token("o");
    let day_ms = 24 * 3600 * 1000;
    let now = auditstream::server::store::now_ms();
    // Left streaming two days ago by a server that died; and one 40 days old.
    let orphan = new_report(&owner, now - 2 * day_ms, "Orphan.sol");
    let old = new_report(&owner, now - 40 * day_ms, "Old.sol");
    for n in [&orphan, &old] {
        store.insert(n).await.unwrap();
    }
    let partial = SavedProgress {
        text: "kept".into(),
        ..Default::default()
    };
    store.update(&orphan.id, &partial).await.unwrap();
    let aged = SavedProgress {
        status: Some(ReportStatus::Done),
        ..Default::default()
    };
    store.update(&old.id, &aged).await.unwrap();
    sqlx::query("UPDATE reports SET updated_ms = created_ms")
        .execute(store.pool())
        .await
        .unwrap();

    let start = |max_age_days: &'static str| {
        let settings = auditstream::server::Settings::from_lookup(|k| match k {
            "AUDITSTREAM_DATABASE_URL" => Some(db.url.clone()),
            "AUDITSTREAM_HISTORY_MAX_AGE_DAYS" => Some(max_age_days.into()),
            _ => None,
        })
        .unwrap();
        auditstream::server::AppState::new(settings).with_history()
    };
    // 0 keeps reports forever.
    let state = start("0").await.unwrap();
    let history = state.history.clone().expect("history on by default");
    assert!(history.store.get(&old.id).await.unwrap().is_some());
    state.shutdown.cancel();

    let state = start("30").await.unwrap();
    let history = state.history.clone().expect("history on by default");
    let r = history.store.get(&orphan.id).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.text.as_str()),
        (ReportStatus::Interrupted, "kept")
    );
    assert_eq!(
        history.store.get(&old.id).await.unwrap(),
        None,
        "pruned at 30 days"
    );
    state.shutdown.cancel();
}

fn project_report(owner: &Owner, created_ms: i64, files: &[(&str, &str)]) -> NewReport {
    NewReport {
        contract: String::new(),
        filename: None,
        files: files
            .iter()
            .map(|(path, content)| auditstream::protocol::ProjectFile {
                path: (*path).into(),
                content: (*content).into(),
            })
            .collect(),
        scope: vec!["src/**".into()],
        exclude: vec!["src/mocks/**".into()],
        ..new_report(owner, created_ms, "unused")
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn a_project_is_stored_with_each_file_text_once_and_forgotten_with_its_reports(db: TestDb) {
    let store = db.store().await;
    let owner = Owner::from_token("o");
    let ownable = "// SPDX-License-Identifier: MIT\nabstract contract Ownable {}\n";
    let first = project_report(
        &owner,
        1_000,
        &[
            (
                "vault/src/Vault.sol",
                "import \"../lib/Ownable.sol\";\ncontract Vault is Ownable {}\n",
            ),
            ("vault/lib/Ownable.sol", ownable),
            // The same text under a second path is still one stored text.
            ("vault/lib/copy/Ownable.sol", ownable),
        ],
    );
    let second = project_report(
        &owner,
        2_000,
        &[
            ("src/Other.sol", "contract Other {}\n"),
            ("lib/Ownable.sol", ownable),
        ],
    );
    store.insert(&first).await.unwrap();
    store.insert(&second).await.unwrap();

    let r = store.get(&first.id).await.unwrap().unwrap();
    assert_eq!(r.files, first.files, "every file, in the order sent");
    assert_eq!(
        (r.scope.clone(), r.exclude.clone()),
        (first.scope.clone(), first.exclude.clone())
    );
    assert_eq!(r.filename.as_deref(), Some("vault"), "named by its folder");
    assert_eq!(r.language, "Solidity");
    assert_eq!(r.contract_sha256.len(), 64);
    let again = store.get(&second.id).await.unwrap().unwrap();
    assert_eq!(
        again.filename.as_deref(),
        Some("src/Other.sol and 1 more file")
    );
    assert_ne!(again.contract_sha256, r.contract_sha256);
    // Five files named, three distinct texts stored.
    assert_eq!(
        (
            count(&store, "report_files").await,
            count(&store, "blobs").await
        ),
        (5, 3)
    );
    // One contract stores no files.
    let single = new_report(&owner, 3_000, "A.sol");
    store.insert(&single).await.unwrap();
    let one = store.get(&single.id).await.unwrap().unwrap();
    assert!(one.files.is_empty() && one.scope.is_empty());
    assert_eq!(count(&store, "blobs").await, 3);

    // Deleting the first keeps the shared library text for the second.
    assert!(store.delete(&first.id, &owner).await.unwrap());
    assert_eq!(
        (
            count(&store, "report_files").await,
            count(&store, "blobs").await
        ),
        (2, 2)
    );
    assert_eq!(
        store.get(&second.id).await.unwrap().unwrap().files,
        second.files
    );
    // Pruning the second leaves nothing behind.
    assert_eq!(store.prune(2_500).await.unwrap(), 1);
    assert_eq!(
        (
            count(&store, "report_files").await,
            count(&store, "blobs").await
        ),
        (0, 0)
    );
}

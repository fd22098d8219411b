//! The SQL of the `reports` table: portable statements (numbered `$n` parameters, which
//! both SQLite and PostgreSQL accept) and the mapping between rows and history types.

use sqlx::{AnyPool, Row, any::AnyRow};

use super::{NewReport, Owner, SavedProgress, StoreError, files, sha256_hex};
use crate::{
    history::{
        HistoryPage, HistoryQuery, ReportStatus, ReportSummary, SeverityCounts, StoredReport,
    },
    protocol::ApiErrorDetail,
    report::{Severity, detect_language},
};

pub(super) async fn insert(
    pool: &AnyPool,
    new: &NewReport,
    instance: Option<&str>,
) -> Result<(), StoreError> {
    let project = !new.files.is_empty();
    let (language, sha, filename) = if project {
        (
            files::project_language(&new.files),
            files::project_sha256(&new.files),
            new.filename
                .clone()
                .or_else(|| files::project_name(&new.files)),
        )
    } else {
        (
            detect_language(&new.contract, new.filename.as_deref()),
            sha256_hex(&new.contract),
            new.filename.clone(),
        )
    };
    // The row and its files land together or not at all.
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO reports (id, owner_hash, created_ms, updated_ms, contract, contract_sha256, \
         filename, language, provider, model, status, text, instance, scope) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12)",
    )
    .bind(&new.id)
    .bind(new.owner.hash())
    .bind(new.created_ms)
    .bind(&new.contract)
    .bind(sha)
    .bind(filename)
    .bind(language.to_string())
    .bind(&new.provider)
    .bind(&new.model)
    .bind(ReportStatus::Streaming.as_str())
    .bind(instance.map(str::to_owned))
    .bind(files::scope_json(&new.files, &new.scope, &new.exclude))
    .execute(&mut *tx)
    .await?;
    files::insert(&mut tx, &new.id, &new.files).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn update(
    pool: &AnyPool,
    id: &str,
    p: &SavedProgress,
    now_ms: i64,
) -> Result<(), StoreError> {
    let status = p.status.unwrap_or(ReportStatus::Streaming);
    let (findings, c) = match &p.findings {
        Some((json, counts)) => (Some(json.clone()), *counts),
        None => (None, SeverityCounts::default()),
    };
    let (code, message) = p.error.clone().unzip();
    sqlx::query(
        "UPDATE reports SET updated_ms = $2, status = $3, text = $4, findings = $5, \
         critical = $6, high = $7, medium = $8, low = $9, info = $10, gas = $11, \
         ttft_ms = $12, duration_ms = $13, output_tokens = $14, error_code = $15, \
         error_message = $16, checks = $17 WHERE id = $1",
    )
    .bind(id)
    .bind(now_ms)
    .bind(status.as_str())
    .bind(&p.text)
    .bind(findings)
    .bind(i64::from(c.critical))
    .bind(i64::from(c.high))
    .bind(i64::from(c.medium))
    .bind(i64::from(c.low))
    .bind(i64::from(c.info))
    .bind(i64::from(c.gas))
    .bind(p.ttft_ms)
    .bind(p.duration_ms)
    .bind(p.output_tokens)
    .bind(code)
    .bind(message)
    .bind(p.checks.clone())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn get(pool: &AnyPool, id: &str) -> Result<Option<StoredReport>, StoreError> {
    let row = sqlx::query(
        "SELECT id, created_ms, updated_ms, status, filename, language, provider, model, \
         contract, contract_sha256, text, findings, critical, high, medium, low, info, gas, \
         ttft_ms, duration_ms, output_tokens, error_code, error_message, checks, scope \
         FROM reports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(mut report) = row.map(|r| stored(&r)).transpose()? else {
        return Ok(None);
    };
    report.files = files::of_report(pool, id).await?;
    Ok(Some(report))
}

fn stored(r: &AnyRow) -> Result<StoredReport, StoreError> {
    let findings: Option<String> = r.try_get("findings")?;
    let findings = findings
        .map(|f| serde_json::from_str(&f))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("findings JSON: {e}")))?;
    let checks: Option<String> = r.try_get("checks")?;
    let checks = checks
        .map(|c| serde_json::from_str(&c))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("checks JSON: {e}")))?
        .unwrap_or_default();
    let code: Option<String> = r.try_get("error_code")?;
    let message: Option<String> = r.try_get("error_message")?;
    let scope: Option<String> = r.try_get("scope")?;
    let (scope, exclude) = files::scope_of(scope.as_deref())?;
    Ok(StoredReport {
        id: r.try_get("id")?,
        created_ms: r.try_get("created_ms")?,
        updated_ms: r.try_get("updated_ms")?,
        status: status(r)?,
        filename: r.try_get("filename")?,
        language: r.try_get("language")?,
        provider: r.try_get("provider")?,
        model: r.try_get("model")?,
        contract: r.try_get("contract")?,
        contract_sha256: r.try_get("contract_sha256")?,
        text: r.try_get("text")?,
        findings,
        checks,
        files: Vec::new(),
        scope,
        exclude,
        counts: counts(r)?,
        ttft_ms: r.try_get("ttft_ms")?,
        duration_ms: r.try_get("duration_ms")?,
        output_tokens: r.try_get("output_tokens")?,
        error: code.map(|code| ApiErrorDetail {
            code,
            message: message.unwrap_or_default(),
        }),
    })
}

fn status(r: &AnyRow) -> Result<ReportStatus, StoreError> {
    let s: String = r.try_get("status")?;
    ReportStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("status `{s}`")))
}

fn counts(r: &AnyRow) -> Result<SeverityCounts, StoreError> {
    let n = |col: &str| -> Result<u32, StoreError> {
        let v: i64 = r.try_get(col)?;
        Ok(u32::try_from(v).unwrap_or(0))
    };
    Ok(SeverityCounts {
        critical: n("critical")?,
        high: n("high")?,
        medium: n("medium")?,
        low: n("low")?,
        info: n("info")?,
        gas: n("gas")?,
    })
}

/// The column counting findings of `severity` (a fixed name, never user text).
fn severity_column(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
        Severity::Gas => "gas",
    }
}

/// `%`, `_` and `\` matched literally in a `LIKE … ESCAPE '\'` pattern.
fn like_pattern(needle: &str) -> String {
    let mut p = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The WHERE clause for `owner` and `query`, with its text parameters in order.
fn filter(owner: &Owner, query: &HistoryQuery) -> (String, Vec<String>) {
    let mut args = vec![owner.hash().to_owned()];
    let mut clause = String::from("owner_hash = $1");
    if let Some(name) = query
        .filename
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        args.push(like_pattern(name));
        clause += &format!(" AND LOWER(filename) LIKE ${} ESCAPE '\\'", args.len());
    }
    if let Some(status) = query.status {
        args.push(status.as_str().to_owned());
        clause += &format!(" AND status = ${}", args.len());
    }
    if let Some(severity) = query.severity {
        clause += &format!(" AND {} > 0", severity_column(severity));
    }
    (clause, args)
}

pub(super) async fn list(
    pool: &AnyPool,
    owner: &Owner,
    query: &HistoryQuery,
    page_size: u32,
) -> Result<HistoryPage, StoreError> {
    let (clause, args) = filter(owner, query);
    let count_sql = format!("SELECT COUNT(*) AS n FROM reports WHERE {clause}");
    let mut count = sqlx::query(&count_sql);
    for a in &args {
        count = count.bind(a.clone());
    }
    let total: i64 = count.fetch_one(pool).await?.try_get("n")?;
    let list_sql = format!(
        "SELECT id, created_ms, updated_ms, filename, provider, model, status, \
         critical, high, medium, low, info, gas FROM reports WHERE {clause} \
         ORDER BY created_ms DESC, id DESC LIMIT {page_size} OFFSET {}",
        u64::from(query.page) * u64::from(page_size)
    );
    let mut select = sqlx::query(&list_sql);
    for a in &args {
        select = select.bind(a.clone());
    }
    let reports = select
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportSummary {
                id: r.try_get("id")?,
                created_ms: r.try_get("created_ms")?,
                updated_ms: r.try_get("updated_ms")?,
                filename: r.try_get("filename")?,
                provider: r.try_get("provider")?,
                model: r.try_get("model")?,
                status: status(r)?,
                counts: counts(r)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(HistoryPage {
        reports,
        page: query.page,
        page_size,
        total: u64::try_from(total).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally_and_ignore_case() {
        assert_eq!(like_pattern("Vault_%\\.SOL"), "%vault\\_\\%\\\\.sol%");
    }

    #[test]
    fn the_filter_binds_user_text_and_names_only_fixed_columns() {
        let owner = Owner::from_token("t");
        let q = HistoryQuery {
            filename: Some(" vault ".into()),
            status: Some(ReportStatus::Done),
            severity: Some(Severity::High),
            page: 0,
        };
        let (clause, args) = filter(&owner, &q);
        assert_eq!(
            clause,
            "owner_hash = $1 AND LOWER(filename) LIKE $2 ESCAPE '\\' AND status = $3 AND high > 0"
        );
        assert_eq!(args[1..], ["%vault%".to_owned(), "done".to_owned()]);
    }

    #[test]
    fn the_contract_hash_is_sha256_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

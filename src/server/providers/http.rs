//! The thin IO shared by every network provider: send the request, turn HTTP failures
//! into clear `OpenError`s, and hand the response body on as raw bytes under the stall
//! timer. What the bytes mean is `decode.rs`'s business.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::{StatusCode, header::HeaderMap};

use super::{OpenError, ReportJob, StreamFailure};

/// How much of an error body is read to find the provider's message.
const MAX_ERROR_BODY: usize = 16 * 1024;

/// POSTs `body` to the provider's `path` and waits for success headers.
pub async fn send(
    client: &reqwest::Client,
    job: &ReportJob<'_>,
    path: &str,
    headers: HeaderMap,
    body: serde_json::Value,
) -> Result<reqwest::Response, OpenError> {
    let p = job.provider;
    let url = format!("{}{}", p.base_url, path);
    let request = client.post(&url).headers(headers).json(&body).send();
    let after = job.limits.connect_timeout;
    let resp = match tokio::time::timeout(after, request).await {
        Err(_) => {
            return Err(OpenError::Timeout {
                provider: p.name.clone(),
                after,
            });
        }
        Ok(Err(e)) if e.is_timeout() => {
            return Err(OpenError::Timeout {
                provider: p.name.clone(),
                after,
            });
        }
        Ok(Err(e)) => {
            return Err(OpenError::Unreachable {
                provider: p.name.clone(),
                url: redact_userinfo(&url),
                detail: root_cause(&e.without_url()),
            });
        }
        Ok(Ok(resp)) => resp,
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let mut detail = error_detail(resp).await;
    // Some providers echo the key they rejected; it must not reach the browser.
    if let Some(key) = p
        .api_key
        .as_ref()
        .map(|k| k.expose())
        .filter(|k| !k.is_empty())
    {
        detail = detail.replace(key, "***");
    }
    Err(OpenError::Rejected {
        status: status.as_u16(),
        message: rejection_message(&p.name, job.model, status, &detail),
    })
}

/// Says what went wrong and what to fix, in the user's terms.
fn rejection_message(provider: &str, model: &str, status: StatusCode, detail: &str) -> String {
    let code = status.as_u16();
    let what = match code {
        401 | 403 => format!(
            "{}; check the key configured for it",
            key_rejected(provider, code)
        ),
        404 => format!("{provider} does not know the model `{model}` (HTTP 404)"),
        429 => format!("{provider} is rate-limiting or out of quota (HTTP 429); try again later"),
        500..=599 => format!("{provider} failed with HTTP {code}; try again later"),
        _ => format!("{provider} refused the request (HTTP {code})"),
    };
    if detail.is_empty() {
        what
    } else {
        format!("{what}: {detail}")
    }
}

/// The one wording for a refused key, in reports and in the model picker.
pub(crate) fn key_rejected(provider: &str, status: u16) -> String {
    format!("{provider} rejected the API key (HTTP {status})")
}

/// The provider's own error message, from `{"error":{"message":…}}`, `{"error":"…"}`
/// or the start of a plain-text body.
async fn error_detail(mut resp: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
        let e = &v["error"];
        if let Some(m) = e["message"]
            .as_str()
            .or(e.as_str())
            .or(v["message"].as_str())
        {
            return truncate(m.trim(), 300);
        }
    }
    truncate(String::from_utf8_lossy(&body).trim(), 300)
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The innermost error's text: "Connection refused (os error 111)" rather than
/// "error sending request".
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `https://user:pass@host/v1` → `https://host/v1`, so messages never carry credentials.
pub(crate) fn redact_userinfo(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Raw body bytes, or `Stalled` when none came for `stall`. Ends after the first error.
pub fn body_bytes(
    resp: reqwest::Response,
    stall: Duration,
) -> impl Stream<Item = Result<Bytes, StreamFailure>> + Send {
    async_stream::stream! {
        let mut body = resp.bytes_stream();
        loop {
            match tokio::time::timeout(stall, body.next()).await {
                Err(_) => { yield Err(StreamFailure::Stalled(stall)); return; }
                Ok(None) => return,
                Ok(Some(Ok(b))) => yield Ok(b),
                Ok(Some(Err(e))) => {
                    yield Err(StreamFailure::Disconnected(root_cause(&e.without_url())));
                    return;
                }
            }
        }
    }
}

//! Origins, normalised and matched: the cross-origin check and
//! `AUDITSTREAM_ALLOWED_ORIGINS`. A leaf, so the settings (which parse the list), the
//! report route's guard and the history server functions share it without importing
//! each other.

use axum::http::{
    HeaderMap,
    header::{HOST, ORIGIN},
    uri::Authority,
};

use super::error::Rejection;

/// 403 when an `Origin` header names someone else. No `Origin` (curl, servers) passes.
/// Our own origin is the `Host` (or the URI's `authority`) with the scheme the client
/// used: `X-Forwarded-Proto` when `trust_forwarded` (behind a proxy), else `http`.
pub fn check_origin(
    headers: &HeaderMap,
    authority: Option<&str>,
    trust_forwarded: bool,
    allowed: &[String],
) -> Result<(), Rejection> {
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("?");
    let proto = trust_forwarded
        .then(|| header_str(headers, "x-forwarded-proto"))
        .flatten()
        .and_then(|p| p.split(',').next())
        .map(str::trim);
    let host = header_str(headers, HOST.as_str()).or(authority);
    if origin_allowed(origin, proto.unwrap_or("http"), host, allowed) {
        Ok(())
    } else {
        Err(Rejection::CrossOrigin {
            origin: origin.chars().take(100).collect(),
        })
    }
}

/// A header's value when it is text.
pub fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `scheme://host:port`, lower-cased, with the scheme's default port made explicit;
/// `None` for anything that is not a bare origin (paths, user info, `null`).
pub fn normalize_origin(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    if rest.is_empty() || rest.contains(['/', '@', '?', '#']) {
        return None;
    }
    let authority: Authority = rest.parse().ok()?;
    let host = authority.host().to_ascii_lowercase();
    let port = authority.port_u16().unwrap_or(default_port);
    Some(format!("{scheme}://{host}:{port}"))
}

/// Whether a request carrying `origin` may post a report. Our own origin is the one
/// the browser used to reach us: `scheme` plus the `Host` header; `allowed` holds
/// extra, already normalised origins.
pub fn origin_allowed(origin: &str, scheme: &str, host: Option<&str>, allowed: &[String]) -> bool {
    let Some(origin) = normalize_origin(origin) else {
        return false;
    };
    let own = host.and_then(|h| normalize_origin(&format!("{scheme}://{h}")));
    own.as_deref() == Some(origin.as_str()) || allowed.contains(&origin)
}

/// `AUDITSTREAM_ALLOWED_ORIGINS`: a comma-separated list, each normalised; a trailing
/// slash is forgiven. Errs with the first entry that is not an origin.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| normalize_origin(o.strip_suffix('/').unwrap_or(o)).ok_or_else(|| o.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalise_to_scheme_host_port() {
        let cases = [
            ("http://localhost:3000", Some("http://localhost:3000")),
            ("HTTP://LocalHost:3000", Some("http://localhost:3000")),
            ("https://example.com", Some("https://example.com:443")),
            ("http://example.com", Some("http://example.com:80")),
            ("http://[::1]:8080", Some("http://[::1]:8080")),
            ("null", None),
            ("", None),
            ("example.com", None),
            ("ftp://example.com", None),
            ("http://example.com/path", None),
            ("http://user@example.com", None),
            ("http://", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_origin(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn only_our_own_origin_or_an_allowed_one_passes() {
        let allowed = vec!["https://app.example.com:443".to_owned()];
        let cases = [
            // (origin, scheme, host, allowed?)
            (
                "http://127.0.0.1:3000",
                "http",
                Some("127.0.0.1:3000"),
                true,
            ),
            ("http://localhost", "http", Some("LOCALHOST:80"), true),
            ("http://localhost:80", "http", Some("localhost"), true),
            (
                "http://127.0.0.1:3001",
                "http",
                Some("127.0.0.1:3000"),
                false,
            ),
            (
                "https://127.0.0.1:3000",
                "http",
                Some("127.0.0.1:3000"),
                false,
            ),
            ("http://evil.example", "http", Some("127.0.0.1:3000"), false),
            ("null", "http", Some("127.0.0.1:3000"), false),
            ("http://127.0.0.1:3000", "http", None, false),
            (
                "https://app.example.com",
                "http",
                Some("10.0.0.5:3000"),
                true,
            ),
            (
                "https://audit.example.com",
                "https",
                Some("audit.example.com"),
                true,
            ),
            (
                "http://audit.example.com",
                "https",
                Some("audit.example.com"),
                false,
            ),
        ];
        for (origin, scheme, host, want) in cases {
            assert_eq!(
                origin_allowed(origin, scheme, host, &allowed),
                want,
                "{origin} via {scheme}://{host:?}"
            );
        }
    }

    #[test]
    fn an_origin_list_parses_or_names_its_bad_entry() {
        assert_eq!(
            parse_origins(" https://a.example/, http://b.example:8080 ,"),
            Ok(vec![
                "https://a.example:443".to_owned(),
                "http://b.example:8080".to_owned()
            ])
        );
        assert_eq!(parse_origins(""), Ok(vec![]));
        assert_eq!(
            parse_origins("https://a.example, b.example"),
            Err("b.example".to_owned())
        );
    }
}

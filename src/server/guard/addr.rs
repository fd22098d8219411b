//! The guards' pure address logic, free of IO so it can be table-tested: origins
//! normalised and matched for the cross-origin check, and the client address a rate
//! limit is kept for.

use std::net::{IpAddr, SocketAddr};

use axum::http::uri::Authority;

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

/// The address a rate limit is kept for. Behind one trusted proxy that is the last
/// `X-Forwarded-For` entry, the one the proxy itself appended: entries further left
/// come from the client and can be forged. Otherwise it is the peer address.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trust_forwarded: bool,
) -> Option<IpAddr> {
    let forwarded = trust_forwarded
        .then(|| {
            forwarded_for
                .iter()
                .rev()
                .flat_map(|v| v.rsplit(','))
                .next()
        })
        .flatten()
        .map(str::trim)
        .and_then(|last| {
            last.parse::<IpAddr>()
                .ok()
                .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
        });
    forwarded.or(peer)
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
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let peer: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let cases: [(&[&str], bool, Option<IpAddr>); 8] = [
            (&[], false, peer),
            (&["203.0.113.7"], false, peer),
            (&["203.0.113.7"], true, ip("203.0.113.7")),
            (&["1.1.1.1, 203.0.113.7"], true, ip("203.0.113.7")),
            (&["1.1.1.1", "2001:db8::1"], true, ip("2001:db8::1")),
            (&["198.51.100.2:4711"], true, ip("198.51.100.2")),
            (&["1.1.1.1, garbage"], true, peer),
            (&[], true, peer),
        ];
        for (xff, trust, want) in cases {
            assert_eq!(client_ip(peer, xff, trust), want, "{xff:?} trust={trust}");
        }
        assert_eq!(client_ip(None, &[], true), None);
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

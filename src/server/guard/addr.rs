//! The guards' pure address logic, free of IO so it can be table-tested: the client
//! address a rate limit is kept for.

use std::net::{IpAddr, SocketAddr};

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
}

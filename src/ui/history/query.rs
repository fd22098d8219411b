//! The history list's filters in the URL (`/history?q=…&status=…&severity=…&page=…`), so a
//! filtered list can be reloaded, shared and gone back to; and the few strings a list
//! row is made of. Pure, so both ends build the same links and the tests pin them.

use crate::{
    history::{HistoryQuery, ReportStatus, SeverityCounts},
    report::Severity,
    ui::links::HISTORY_PATH,
};

/// Reads the filters from the query parameters (`get` looks one up, decoded). Unknown
/// values are ignored rather than refused: an old or hand-edited link still opens.
/// `page` is 1-based in the URL.
pub fn query_from_params(get: impl Fn(&str) -> Option<String>) -> HistoryQuery {
    let filename = get("q")
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    let status = get("status").and_then(|s| ReportStatus::parse(&s.to_ascii_lowercase()));
    let severity = get("severity").and_then(|s| severity_named(&s));
    let page = get("page")
        .and_then(|p| p.trim().parse::<u32>().ok())
        .map_or(0, |p| p.saturating_sub(1));
    HistoryQuery {
        filename,
        status,
        severity,
        page,
    }
}

/// The link to a list: `/history` with only the filters that are set.
pub fn history_href(query: &HistoryQuery) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(q) = &query.filename {
        params.push(("q", encode(q)));
    }
    if let Some(s) = query.status {
        params.push(("status", s.as_str().to_owned()));
    }
    if let Some(s) = query.severity {
        params.push(("severity", severity_param(s)));
    }
    if query.page > 0 {
        params.push(("page", (query.page + 1).to_string()));
    }
    let mut href = HISTORY_PATH.to_owned();
    for (i, (k, v)) in params.iter().enumerate() {
        href.push(if i == 0 { '?' } else { '&' });
        href.push_str(k);
        href.push('=');
        href.push_str(v);
    }
    href
}

/// The same filters on another page.
pub fn with_page(query: &HistoryQuery, page: u32) -> HistoryQuery {
    HistoryQuery {
        page,
        ..query.clone()
    }
}

/// Whether any filter narrows the list (for "No reports match" against "No reports yet").
pub fn is_filtered(query: &HistoryQuery) -> bool {
    query.filename.is_some() || query.status.is_some() || query.severity.is_some()
}

/// How many pages of `page_size` the `total` reports fill (at least one, so "page 1 of
/// 1" when empty).
pub fn page_count(total: u64, page_size: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(page_size.max(1))))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// `2 High · 1 Medium`: the non-zero counts, most severe first; empty when none.
pub fn counts_label(counts: &SeverityCounts) -> String {
    Severity::all()
        .filter_map(|s| {
            let n = counts.get(s);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A severity's name in the URL: `high`.
pub fn severity_param(s: Severity) -> String {
    s.as_str().to_ascii_lowercase()
}

fn severity_named(name: &str) -> Option<Severity> {
    Severity::all().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
}

/// Percent-encodes all but unreserved characters (RFC 3986), the same on both ends so
/// server-rendered and hydrated links agree.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn filters_read_from_the_url() {
        let q = query_from_params(params(&[
            ("q", " Vault "),
            ("status", "stopped"),
            ("severity", "HIGH"),
            ("page", "3"),
        ]));
        assert_eq!(
            q,
            HistoryQuery {
                filename: Some("Vault".into()),
                status: Some(ReportStatus::Stopped),
                severity: Some(Severity::High),
                page: 2,
            }
        );
        // Nothing, blanks and nonsense all mean "no filter, first page".
        assert_eq!(query_from_params(params(&[])), HistoryQuery::default());
        let odd = params(&[
            ("q", "  "),
            ("status", "x"),
            ("severity", "1"),
            ("page", "-2"),
        ]);
        assert_eq!(query_from_params(odd), HistoryQuery::default());
        assert_eq!(query_from_params(params(&[("page", "0")])).page, 0);
    }

    #[test]
    fn links_carry_only_the_filters_set() {
        assert_eq!(history_href(&HistoryQuery::default()), "/history");
        let q = HistoryQuery {
            filename: Some("My Vault&co.sol".into()),
            status: Some(ReportStatus::Done),
            severity: Some(Severity::Medium),
            page: 1,
        };
        assert_eq!(
            history_href(&q),
            "/history?q=My%20Vault%26co.sol&status=done&severity=medium&page=2"
        );
        assert!(!history_href(&with_page(&q, 0)).contains("page"));
        assert!(is_filtered(&q));
        assert!(!is_filtered(&with_page(&HistoryQuery::default(), 4)));
    }

    #[test]
    fn a_link_reads_back_as_its_query() {
        let q = HistoryQuery {
            filename: Some("ünï code?=".into()),
            status: Some(ReportStatus::Interrupted),
            severity: Some(Severity::Gas),
            page: 9,
        };
        let href = history_href(&q);
        let pairs: Vec<(String, String)> = href
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), decode(v))
            })
            .collect();
        let back = query_from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
    }

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pages_and_counts() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_count(3, 1), 3);
        assert_eq!(page_count(5, 0), 5);
        let counts = SeverityCounts {
            high: 2,
            medium: 1,
            ..SeverityCounts::default()
        };
        assert_eq!(counts_label(&counts), "2 High · 1 Medium");
        assert_eq!(counts_label(&SeverityCounts::default()), "");
    }
}

//! The fallback chain (issue #11) as plain decisions: which models a request may be
//! asked of, in order, and which failures before the first token move on to the next
//! one. The IO (asking each in turn) stays in the relay's opening step.

use crate::{
    protocol::FailedAttempt,
    server::{
        config::{ProviderConfig, Settings},
        providers::{OpenError, open_error_status},
    },
};

/// Whether a model that failed this way is passed over for the next of its chain.
/// Unreachable, slow (no headers in time), rate-limited (429) and failing or overloaded
/// (5xx, Anthropic's 529) models are; a refused key (401/403), an unknown model (404) or
/// any other refusal is the operator's to fix and is answered as it is.
pub fn falls_back(e: &OpenError) -> bool {
    match e {
        // A model with a larger context may take the project.
        OpenError::Unreachable { .. }
        | OpenError::Timeout { .. }
        | OpenError::TooLargeForModel { .. } => true,
        OpenError::Rejected { status, .. } => *status == 429 || (500..=599).contains(status),
    }
}

/// The models after the first, as named in its provider's `fallback` list. Entries were
/// checked against the providers at start-up.
pub fn rest_of_chain<'s>(
    settings: &'s Settings,
    first: &'s ProviderConfig,
) -> Vec<(&'s ProviderConfig, &'s str)> {
    first
        .fallback
        .iter()
        .filter_map(|r| Some((settings.provider(&r.provider)?, r.model.as_str())))
        .collect()
}

/// What `meta` says about a model that failed and was passed over.
pub fn failed_attempt(provider: &str, model: &str, e: &OpenError) -> FailedAttempt {
    FailedAttempt {
        provider: provider.to_owned(),
        model: model.to_owned(),
        code: open_error_status(e).1.to_owned(),
        message: e.to_string(),
        status: match e {
            OpenError::Rejected { status, .. } => Some(*status),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rejected(status: u16) -> OpenError {
        OpenError::Rejected {
            status,
            message: format!("HTTP {status}"),
        }
    }

    #[test]
    fn only_passing_failures_fall_back() {
        let cases = [
            (
                OpenError::Unreachable {
                    provider: "p".into(),
                    url: "http://127.0.0.1:1".into(),
                    detail: "refused".into(),
                },
                true,
            ),
            (
                OpenError::Timeout {
                    provider: "p".into(),
                    after: Duration::from_secs(1),
                },
                true,
            ),
            (rejected(429), true),
            (rejected(500), true),
            (rejected(502), true),
            (rejected(503), true),
            (rejected(529), true),
            (rejected(400), false),
            (rejected(401), false),
            (rejected(403), false),
            (rejected(404), false),
            (rejected(422), false),
        ];
        for (e, want) in cases {
            assert_eq!(falls_back(&e), want, "{e:?}");
        }
    }

    #[test]
    fn a_failed_attempt_carries_the_code_status_and_message() {
        let a = failed_attempt("anthropic", "claude-x", &rejected(529));
        assert_eq!(
            (a.code.as_str(), a.status, a.message.as_str()),
            ("upstream_rejected", Some(529), "HTTP 529")
        );
        let t = OpenError::Timeout {
            provider: "p".into(),
            after: Duration::from_secs(2),
        };
        let a = failed_attempt("p", "m", &t);
        assert_eq!((a.code.as_str(), a.status), ("upstream_timeout", None));
    }

    #[test]
    fn the_chain_follows_the_first_providers_fallback_list() {
        let s = Settings::from_lookup(|k| match k {
            "AUDITSTREAM_PROVIDER" => Some("ollama".into()),
            "AUDITSTREAM_FALLBACK" => Some("builtin/analyzer".into()),
            _ => None,
        })
        .unwrap();
        let rest = rest_of_chain(&s, s.default_provider());
        let names: Vec<(&str, &str)> = rest.iter().map(|(p, m)| (p.name.as_str(), *m)).collect();
        assert_eq!(names, [("builtin", "analyzer")]);
        assert!(rest_of_chain(&s, s.provider("builtin").unwrap()).is_empty());
    }
}

//! The embedded default provider: the offline analyzer's markdown report, streamed in
//! word-sized tokens at a model-like pace through the same pipe as any LLM.

use std::time::Duration;

use super::{Finish, Frame, FrameStream};
use crate::analyzer;
use crate::analyzer::project::analyze_project;
use crate::project::Project;
use crate::report::{Language, write_report};

/// Streams the analyzer's report for `contract`, one token every `pace`
/// (no delay when `pace` is zero).
pub fn stream(contract: &str, filename: Option<&str>, pace: Duration) -> FrameStream {
    stream_with_info(contract, filename, pace, true)
}

/// As `stream`, without the report's Info findings unless `info`
/// (`AUDITSTREAM_ANALYZER_INFO`).
pub fn stream_with_info(
    contract: &str,
    filename: Option<&str>,
    pace: Duration,
    info: bool,
) -> FrameStream {
    let mut analysis = analyzer::analyze(contract, filename);
    if !info {
        analysis = analysis.without_info();
    }
    paced(analyzer::render_markdown(&analysis), pace)
}

/// Streams the analyzer's one report over `project` (every file in scope, findings at
/// `path:line`), paced as `stream`.
pub fn stream_project(project: &Project, pace: Duration, info: bool) -> FrameStream {
    let mut analysis = analyze_project(project);
    if !info {
        analysis.files = analysis
            .files
            .into_iter()
            .map(|a| a.without_info())
            .collect();
    }
    paced(
        write_report(&analysis.combined_report(), Language::Solidity),
        pace,
    )
}

/// `report` as word-sized tokens, one every `pace`, then `stop`.
fn paced(report: String, pace: Duration) -> FrameStream {
    Box::pin(async_stream::stream! {
        let mut count = 0u64;
        for token in tokens(&report) {
            if !pace.is_zero() {
                tokio::time::sleep(pace).await;
            }
            count += 1;
            yield Ok(Frame::Delta(token.to_owned()));
        }
        yield Ok(Frame::Finish(Finish {
            reason: Some("stop".into()),
            output_tokens: Some(count),
            tokens_per_sec: None,
        }));
    })
}

/// Splits text into model-like tokens: each run of non-whitespace together with the
/// whitespace that follows it. Concatenating the tokens gives back the text exactly.
pub fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = &rest[word_end..];
        let space_len = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        let (token, tail) = rest.split_at(word_end + space_len);
        rest = tail;
        Some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn tokens_rebuild_the_text_exactly() {
        for text in [
            "",
            " ",
            "a",
            "## Summary\n\nTwo  words — ünï\tcode\n",
            "\n\nlead",
        ] {
            let parts: Vec<&str> = tokens(text).collect();
            assert_eq!(parts.concat(), text);
            assert!(parts.iter().all(|p| !p.is_empty()));
        }
        assert_eq!(
            tokens("## Summary\n\nok").collect::<Vec<_>>(),
            ["## ", "Summary\n\n", "ok"]
        );
    }

    #[tokio::test]
    async fn streams_the_whole_report_then_finishes() {
        let src = "pragma solidity ^0.8.0;\ncontract A { function f() public { selfdestruct(payable(msg.sender)); } }\n";
        let frames: Vec<_> = stream(src, Some("A.sol"), Duration::ZERO).collect().await;
        let (last, body) = frames.split_last().unwrap();
        let text: String = body
            .iter()
            .map(|f| match f {
                Ok(Frame::Delta(t)) => t.as_str(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            text,
            analyzer::render_markdown(&analyzer::analyze(src, Some("A.sol")))
        );
        assert!(text.contains("selfdestruct"));
        match last {
            Ok(Frame::Finish(f)) => assert_eq!(f.output_tokens, Some(body.len() as u64)),
            other => panic!("expected finish, got {other:?}"),
        }
    }
}

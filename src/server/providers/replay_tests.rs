//! Replays every recorded provider stream in `testdata/streams` through the real
//! SSE decoder (or an NDJSON line splitter) and the matching frame parser, with the bytes
//! split at random offsets, and checks text and ending against `index.json`. This is the
//! proof that the parsers read what real servers send, not what we imagine they send.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use super::anthropic::MessagesParser;
use super::ollama::ChatLineParser;
use super::openai::ChatParser;
use super::{EventParser, Frame, FrameResult, LineParser};

/// Every entry of `index.json` must be replayed; a new fixture must come with its parser.
const FIXTURES: usize = 54;
/// Random split schedules per fixture, on top of the fixed ones.
const SEEDS: u64 = 8;

/// One `index.json` entry; the expectation fields vary in shape, hence `Value`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Entry {
    file: String,
    format: String,
    non_ascii_utf8: bool,
    ends_with_blank_line: Option<bool>,
    sse_events_whatwg: Option<usize>,
    /// A string, `null` (no text), or per choice `{"0": …, "1": …}`.
    expected_text: Value,
    expected_refusal: Option<String>,
    /// OpenAI: a string or per choice `{"0": …}`.
    finish_reason: Value,
    stop_reason: Option<String>,
    /// Ollama: `true` (no `done_reason` given) or the `done_reason`.
    done: Value,
    /// OpenAI-compatible: the stream has its `data: [DONE]`.
    done_marker: Option<bool>,
    /// Objects (`type`/`code`/`message`) or bare strings (Ollama).
    in_stream_errors: Vec<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wire {
    OpenAi,
    Anthropic,
    Ndjson,
}

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Finished(String),
    /// The error's kind and message.
    Failed(Option<String>, String),
    Truncated,
}

/// `return Err(format!(…))` unless the condition holds.
macro_rules! ensure {
    ($ok:expr, $($why:tt)+) => {
        if !$ok {
            return Err(format!($($why)+));
        }
    };
}

/// What one replay produced as the relay would see it: the text before the first Finish
/// or error, how it ended, and frames after a Finish (must be none).
struct Run {
    text: String,
    outcome: Outcome,
    output_tokens: Option<u64>,
    after_finish: usize,
    malformed: u64,
}

/// The repository's test data (`testdata/`, origins and licences in its `SOURCES.md`).
fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
}

fn wire(format: &str) -> Option<Wire> {
    Some(match format {
        "sse (OpenAI-compatible chat/completions)" | "sse (OpenAI Responses API)" => Wire::OpenAi,
        "sse (Anthropic Messages)" => Wire::Anthropic,
        "ndjson (Ollama native)" => Wire::Ndjson,
        _ => return None,
    })
}

fn expected<'a>(e: &'a Entry) -> Result<(String, Outcome), String> {
    // Per-choice maps: only choice 0 is report text (see `openai::ChatParser`).
    let choice0 = |v: &'a Value| v.get("0").unwrap_or(v);
    let mut text = match choice0(&e.expected_text) {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => return Err(format!("expected_text has an unknown shape: {other}")),
    };
    if let Some(refusal) = &e.expected_refusal {
        // Refusal fixtures stream only refusal deltas, so "text then refusal" is their order.
        if !text.is_empty() {
            return Err("content and refusal both present: decide their order".into());
        }
        text.push_str(refusal);
    }
    let outcome = if let Some(err) = e.in_stream_errors.first() {
        match err {
            Value::String(message) => Outcome::Failed(None, message.clone()),
            obj => {
                let code = match &obj["code"] {
                    Value::Number(n) => Some(n.to_string()),
                    other => other.as_str().map(String::from),
                };
                let kind = obj["type"].as_str().map(String::from).or(code);
                let message = obj["message"].as_str().ok_or("error without message")?;
                Outcome::Failed(kind, message.to_owned())
            }
        }
    } else if let Some(reason) = (e.stop_reason.as_deref())
        .or(choice0(&e.finish_reason).as_str())
        .or(e.done.as_str())
    {
        Outcome::Finished(reason.to_owned())
    } else {
        // No terminator, or one without a finish reason (Ollama's `"done":true` alone,
        // llama-cpp-python's bare `[DONE]` after an interruption): cut off either way.
        Outcome::Truncated
    };
    Ok((text, outcome))
}

/// Splits NDJSON bytes into lines without their `\n` / `\r\n`, across chunk boundaries.
#[derive(Default)]
struct LineSplitter {
    buf: Vec<u8>,
}

impl LineSplitter {
    fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            lines.push(String::from_utf8(line).expect("NDJSON fixture lines are UTF-8"));
        }
        lines
    }

    fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        (!rest.is_empty()).then(|| String::from_utf8(rest).expect("NDJSON fixture is UTF-8"))
    }
}

/// Feeds `bytes`, split before each offset in `cuts`, through decoder and parser.
/// `at_eof` calls the decoder's lenient `finish()` (the relay does) at the end.
fn replay(wire: Wire, bytes: &[u8], cuts: &[usize], at_eof: bool) -> Run {
    let mut results: Vec<FrameResult> = Vec::new();
    let ends = cuts.iter().copied().chain([bytes.len()]);
    let chunks = [0]
        .into_iter()
        .chain(cuts.iter().copied())
        .zip(ends)
        .map(|(a, b)| &bytes[a..b]);
    let malformed = match wire {
        Wire::Ndjson => {
            let mut split = LineSplitter::default();
            let mut parser = ChatLineParser::default();
            for chunk in chunks {
                results.extend(split.push(chunk).iter().map(|l| parser.on_line(l)));
            }
            if at_eof {
                results.extend(split.finish().map(|l| parser.on_line(&l)));
            }
            parser.malformed()
        }
        Wire::OpenAi | Wire::Anthropic => {
            let mut parser: Box<dyn EventParser> = match wire {
                Wire::OpenAi => Box::new(ChatParser::default()),
                _ => Box::new(MessagesParser::default()),
            };
            let mut decoder = crate::sse::Decoder::new();
            for chunk in chunks {
                results.extend(decoder.push(chunk).iter().map(|ev| parser.on_event(ev)));
            }
            if at_eof {
                results.extend(decoder.finish().map(|ev| parser.on_event(&ev)));
            }
            parser.malformed()
        }
    };
    let mut steps = results.into_iter().flat_map(|r| match r {
        Ok(frames) => frames.into_iter().map(Ok).collect(),
        Err(e) => vec![Err(e)],
    });
    let (mut text, mut outcome, mut output_tokens) = (String::new(), Outcome::Truncated, None);
    for step in steps.by_ref() {
        match step {
            Ok(Frame::Delta(t)) => {
                assert!(!t.is_empty(), "empty Delta");
                text.push_str(&t);
            }
            Ok(Frame::Finish(f)) => {
                outcome = f.reason.map_or(Outcome::Truncated, Outcome::Finished);
                output_tokens = f.output_tokens;
                break;
            }
            Err(e) => {
                outcome = Outcome::Failed(e.kind, e.message);
                break;
            }
        }
    }
    // The relay stops at the first error; after a Finish nothing may follow.
    let after_finish = match outcome {
        Outcome::Finished(_) => steps.count(),
        _ => 0,
    };
    Run {
        text,
        outcome,
        output_tokens,
        after_finish,
        malformed,
    }
}

/// Split schedules: one chunk; a cut inside every multi-byte UTF-8 character; random
/// chunks of 1..=max bytes for several seeds, from byte-sized to larger than most files.
fn schedules(name: &str, bytes: &[u8]) -> Vec<(String, Vec<usize>)> {
    let mut out = vec![("whole".to_owned(), Vec::new())];
    let inside_chars: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i] & 0xC0 == 0x80)
        .collect();
    if !inside_chars.is_empty() {
        out.push(("inside-utf8".to_owned(), inside_chars));
    }
    // FNV-1a of the file name: each file gets its own, reproducible splits.
    let file = name.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    for seed in 0..SEEDS {
        let max = [1, 3, 7, 16, 64, 300, 1500, 5000][seed as usize % 8];
        let mut state = file ^ seed.wrapping_mul(0xA076_1D64_78BD_642F);
        let mut splitmix64 = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let (mut cuts, mut at) = (Vec::new(), 0);
        loop {
            at += 1 + (splitmix64() % max) as usize;
            if at >= bytes.len() {
                break;
            }
            cuts.push(at);
        }
        out.push((format!("seed {seed} (chunks of 1..={max})"), cuts));
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the terminator's line starts: the same stream cut there has no terminator.
fn terminator_line_start(wire: Wire, bytes: &[u8]) -> Option<usize> {
    let marker: &[u8] = match wire {
        Wire::OpenAi => b"data: [DONE]",
        Wire::Anthropic => br#""type":"message_stop""#,
        Wire::Ndjson => br#""done":true"#,
    };
    let at = bytes.windows(marker.len()).rposition(|w| w == marker)?;
    let line_start = bytes[..at].iter().rposition(|&b| b == b'\n');
    Some(line_start.map_or(0, |nl| nl + 1))
}

/// One recorded file can hold several HTTP responses: vercel's programmatic-tool-calling
/// fixture is 15 Anthropic messages, each ended by `message_stop`, that the client asked
/// for one after another. Each is replayed as the separate stream it was.
fn responses(wire: Wire, bytes: &[u8]) -> Vec<&[u8]> {
    const STOP: &[u8] = br#""type":"message_stop""#;
    let mut out = Vec::new();
    let mut rest = bytes;
    while let (Wire::Anthropic, Some(at)) = (wire, find(rest, STOP)) {
        let Some(blank) = find(&rest[at..], b"\n\n") else {
            break;
        };
        let (one, tail) = rest.split_at(at + blank + 2);
        if tail.is_empty() {
            break;
        }
        out.push(one);
        rest = tail;
    }
    out.push(rest);
    out
}

/// Replays one response under every split schedule; returns how many replays it ran.
fn check_response(
    e: &Entry,
    wire: Wire,
    bytes: &[u8],
    want: (&str, &Outcome),
) -> Result<usize, String> {
    let (want_text, want_outcome) = want;
    let usage: &[u8] = match wire {
        Wire::OpenAi => b"\"completion_tokens\"",
        Wire::Anthropic => b"\"output_tokens\"",
        Wire::Ndjson => b"\"eval_count\"",
    };
    let has_usage = find(bytes, usage).is_some();
    let plans = schedules(&e.file, bytes);
    let replays = plans.len();
    for (label, cuts) in plans {
        let Run {
            text,
            outcome,
            output_tokens: tokens,
            after_finish,
            malformed,
        } = replay(wire, bytes, &cuts, true);
        ensure!(
            text == want_text,
            "{label}:\n got  {text:?}\n want {want_text:?}"
        );
        ensure!(outcome == *want_outcome, "{label}: {outcome:?}");
        ensure!(after_finish == 0, "{label}: frames after Finish");
        ensure!(malformed == 0, "{label}: {malformed} malformed");
        let finished = matches!(outcome, Outcome::Finished(_));
        ensure!(
            !finished || tokens.is_some() == has_usage,
            "{label}: {tokens:?}"
        );
    }
    match (want_outcome, terminator_line_start(wire, bytes)) {
        (Outcome::Finished(_), None) => Err("Finish expected but no terminator".into()),
        (Outcome::Truncated, Some(_)) if !terminated_without_reason(e) => {
            Err("terminator present, no outcome listed".into())
        }
        (Outcome::Finished(_), Some(cut)) => {
            // Cut before the terminator's line: the relay must see no Finish (truncated).
            let Run { text, outcome, .. } = replay(wire, &bytes[..cut], &[], true);
            let truncated = outcome == Outcome::Truncated && want_text.starts_with(&text);
            ensure!(truncated, "cut before terminator: {outcome:?} {text:?}");
            Ok(replays + 1)
        }
        _ => Ok(replays),
    }
}

/// The index says the stream has its terminator but no finish reason.
fn terminated_without_reason(e: &Entry) -> bool {
    e.done == Value::Bool(true) || (e.done_marker == Some(true) && e.finish_reason.is_null())
}

fn check(e: &Entry) -> Result<usize, String> {
    let wire = wire(&e.format).ok_or_else(|| format!("unhandled format {:?}", e.format))?;
    let bytes = std::fs::read(testdata().join(&e.file)).map_err(|err| err.to_string())?;
    let non_ascii = bytes.iter().any(|b| !b.is_ascii());
    ensure!(e.non_ascii_utf8 == non_ascii, "non_ascii_utf8 is wrong");
    if let (Some(n), Wire::OpenAi | Wire::Anthropic) = (e.sse_events_whatwg, wire) {
        // Strict WHATWG (no `finish()`) must see as many events as the index lists.
        let decoded = crate::sse::Decoder::new().push(&bytes).len();
        ensure!(decoded == n, "{decoded} SSE events, index says {n}");
    }
    let (text, outcome) = expected(e)?;
    let segments = responses(wire, &bytes);
    let (last, earlier) = segments.split_last().expect("at least one response");
    let mut replays = 0;
    for (i, segment) in earlier.iter().enumerate() {
        // A response the client continued ends in `tool_use`; the index lists only the
        // last response's text, so every split must match the unsplit replay.
        let whole = replay(wire, segment, &[], true).text;
        let want = (whole.as_str(), &Outcome::Finished("tool_use".into()));
        let n = check_response(e, wire, segment, want);
        replays += n.map_err(|why| format!("response {}: {why}", i + 1))?;
    }
    replays += check_response(e, wire, last, (&text, &outcome))?;
    if e.ends_with_blank_line == Some(false) {
        // Strict WHATWG never dispatches the unterminated `message_stop`; `finish()` does
        // (checked above), and without it the stream would look truncated.
        let Run {
            text: got, outcome, ..
        } = replay(wire, last, &[], false);
        let truncated = outcome == Outcome::Truncated && got == text;
        ensure!(truncated, "without finish(): {outcome:?} {got:?}");
    }
    Ok(replays)
}

#[test]
fn every_recorded_stream_replays() {
    let index = testdata().join("streams/index.json");
    let raw = std::fs::read(&index).unwrap_or_else(|e| panic!("{}: {e}", index.display()));
    let entries: Vec<Entry> = serde_json::from_slice(&raw).expect("index.json");
    let (mut passed, mut replays, mut failures) = (0, 0, Vec::new());
    for e in &entries {
        match check(e) {
            Ok(n) => (passed, replays) = (passed + 1, replays + n),
            Err(why) => failures.push(format!("{}: {why}", e.file)),
        }
    }
    let total = entries.len();
    println!("replayed {passed} of {total} recorded streams ({replays} replays)");
    let (failed, report) = (failures.len(), failures.join("\n"));
    assert!(failures.is_empty(), "{failed} fixtures failed:\n{report}");
    assert_eq!(total, FIXTURES, "index.json gained or lost fixtures");
    assert_eq!(passed, FIXTURES);
}

#[test]
fn line_splitter_handles_crlf_and_an_unterminated_last_line() {
    let mut s = LineSplitter::default();
    assert_eq!(s.push(b"{\"a\":1}\r"), Vec::<String>::new());
    let lines = s.push(b"\n\n{\"b\"");
    assert_eq!(lines, ["{\"a\":1}", ""]);
    assert_eq!(s.push(b":2}"), Vec::<String>::new());
    assert_eq!(s.finish().as_deref(), Some("{\"b\":2}"));
    assert_eq!(s.finish(), None);
}

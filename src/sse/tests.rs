//! Tests for the event-stream decoder: one table per WHATWG rule, cases derived from the
//! web-platform-tests `eventsource/format-*` files, the line limit at its edge, `finish`,
//! and property tests (chunking never changes the result; arbitrary bytes never panic and
//! never grow the line buffer past its limit; agreement with a naive whole-stream model).

use super::*;
use proptest::prelude::*;

fn ev(event: &str, data: &str, id: &str) -> Event {
    Event {
        event: event.to_owned(),
        data: data.to_owned(),
        id: id.to_owned(),
    }
}

fn msg(data: &str) -> Event {
    ev("message", data, "")
}

fn decode(input: &[u8]) -> Vec<Event> {
    Decoder::new().push(input)
}

fn push_all(decoder: &mut Decoder, chunks: &[&[u8]]) -> Vec<Event> {
    chunks
        .iter()
        .flat_map(|chunk| decoder.push(chunk))
        .collect()
}

/// Everything observable after feeding a stream in some chunking, then `finish`.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: Vec<Event>,
    retry: Option<u64>,
    last_id: String,
    finished: Option<Event>,
}

fn run<'a>(max_line: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut d = Decoder::with_max_line(max_line);
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(d.push(chunk));
        assert!(d.buffered_len() <= max_line);
    }
    let (retry, last_id) = (d.retry(), d.last_event_id().to_owned());
    Outcome {
        events,
        retry,
        last_id,
        finished: d.finish(),
    }
}

fn run_split(max_line: usize, input: &[u8], points: &[usize]) -> Outcome {
    let mut cuts: Vec<usize> = points.iter().map(|&p| p.min(input.len())).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&input[start..cut]);
        start = cut;
    }
    chunks.push(&input[start..]);
    run(max_line, chunks)
}

/// A table row: the rule it checks, a whole stream, and the (event, data, id) it yields.
struct Case {
    rule: &'static str,
    input: &'static [u8],
    expect: &'static [(&'static str, &'static str, &'static str)],
}

/// Each case must hold whole, and fed one byte at a time.
fn check(cases: &[Case]) {
    for case in cases {
        let expect: Vec<Event> = case.expect.iter().map(|&(e, d, i)| ev(e, d, i)).collect();
        assert_eq!(decode(case.input), expect, "rule: {}", case.rule);
        let bytes = run(DEFAULT_MAX_LINE, case.input.chunks(1)).events;
        assert_eq!(bytes, expect, "rule (byte by byte): {}", case.rule);
    }
}

const M: &str = "message";

/// `table! { "rule", input => &[(event, data, id), ..]; .. }` runs [`check`] on the rows.
macro_rules! table {
    ($($rule:literal, $input:expr => $expect:expr;)*) => {
        check(&[$(Case { rule: $rule, input: $input, expect: $expect }),*])
    };
}

#[test]
fn rule_utf8_decoding_with_replacement() {
    table! {
        "utf8: multibyte characters pass through",
            "data: é€😀\n\n".as_bytes() => &[(M, "é€😀", "")];
        "utf8: an invalid byte becomes U+FFFD",
            b"data: a\xFFb\n\n" => &[(M, "a\u{FFFD}b", "")];
        "utf8: a truncated sequence is one U+FFFD",
            b"data: \xE2\x82x\n\n" => &[(M, "\u{FFFD}x", "")];
        "utf8: a sequence cut by a line end is one U+FFFD",
            b"data: \xF0\x9F\x98\n\n" => &[(M, "\u{FFFD}", "")];
        "utf8: an encoded surrogate is three U+FFFD",
            b"data: \xED\xA0\x80\n\n" => &[(M, "\u{FFFD}\u{FFFD}\u{FFFD}", "")];
        "utf8: replacement in event and id too",
            b"event: a\xFF\nid: \xC3\ndata: x\n\n" => &[("a\u{FFFD}", "x", "\u{FFFD}")];
        "utf8: an invalid byte before the colon makes an unknown field",
            b"data\xFF: x\n\n" => &[];
    };
}

#[test]
fn rule_utf8_character_split_between_chunks() {
    let mut d = Decoder::new();
    assert_eq!(
        push_all(&mut d, &[b"data: \xE2", b"\x82", b"\xAC\n", b"\n"]),
        [msg("€")]
    );
    let emoji = "data: 😀\n\n".as_bytes();
    let mut d = Decoder::new();
    let events = push_all(
        &mut d,
        &[&emoji[..7], &emoji[7..8], &emoji[8..9], &emoji[9..]],
    );
    assert_eq!(events, [msg("😀")]);
}

#[test]
fn rule_bom_stripped_once_at_stream_start() {
    table! {
        "bom: one leading BOM is stripped",
            b"\xEF\xBB\xBFdata: 1\n\n" => &[(M, "1", "")];
        "bom: a second BOM is part of the first line",
            b"\xEF\xBB\xBF\xEF\xBB\xBFdata: 1\n\ndata: 2\n\n" => &[(M, "2", "")];
        "bom: not stripped after stream start",
            b"data: 1\n\n\xEF\xBB\xBFdata: 2\n\ndata: 3\n\n" => &[(M, "1", ""), (M, "3", "")];
        "bom: kept inside a value",
            b"\xEF\xBB\xBFdata: \xEF\xBB\xBFx\n\n" => &[(M, "\u{FEFF}x", "")];
        "bom: an incomplete BOM is not stripped",
            b"\xEF\xBBdata: 1\n\ndata: 2\n\n" => &[(M, "2", "")];
        "bom: a lone BOM is an empty stream",
            b"\xEF\xBB\xBF" => &[];
        "bom: BOM then a blank line",
            b"\xEF\xBB\xBF\ndata:1\n\n" => &[(M, "1", "")];
    };
}

#[test]
fn rule_bom_split_across_chunks() {
    let mut d = Decoder::new();
    let events = push_all(&mut d, &[b"\xEF", b"", b"\xBB", b"\xBF", b"data: 1\n\n"]);
    assert_eq!(events, [msg("1")]);
    let mut d = Decoder::new();
    assert_eq!(
        push_all(&mut d, &[b"\xEF\xBB", b"\xBFdata: 1\n\n"]),
        [msg("1")]
    );
    // A BOM prefix that turns out not to be one stays in the line.
    let mut d = Decoder::new();
    assert_eq!(
        push_all(&mut d, &[b"\xEF\xBB", b"data: 1\n\ndata: 2\n\n"]),
        [msg("2")]
    );
    // After a split BOM, a second BOM is still data.
    let mut d = Decoder::new();
    let events = push_all(&mut d, &[b"\xEF\xBB", b"\xBF\xEF", b"\xBB\xBFdata: 1\n\n"]);
    assert_eq!(events, []);
}

#[test]
fn rule_line_ends_cr_lf_crlf() {
    table! {
        "line end: LF",
            b"data: a\ndata: b\n\n" => &[(M, "a\nb", "")];
        "line end: CR",
            b"data: a\rdata: b\r\r" => &[(M, "a\nb", "")];
        "line end: CRLF",
            b"data: a\r\ndata: b\r\n\r\n" => &[(M, "a\nb", "")];
        "line end: mixed",
            b"data: a\rdata: b\ndata: c\r\n\r" => &[(M, "a\nb\nc", "")];
        "line end: LF CR is two line ends",
            b"data: a\n\rdata: b\n\n" => &[(M, "a", ""), (M, "b", "")];
        "line end: CRLF then LF is two line ends",
            b"data: a\r\n\n" => &[(M, "a", "")];
        "line end: CR CR LF is two line ends",
            b"data: a\r\r\n" => &[(M, "a", "")];
    };
}

#[test]
fn rule_crlf_split_across_chunks_is_one_line_end() {
    let mut d = Decoder::new();
    let events = push_all(
        &mut d,
        &[b"data: a\r", b"\n", b"data: b\r", b"\ndata: c\r\n\r", b"\n"],
    );
    assert_eq!(events, [msg("a\nb\nc")]);
    // A CR at chunk end followed by something else is a line end on its own.
    let mut d = Decoder::new();
    assert_eq!(push_all(&mut d, &[b"data: a\r", b"\r"]), [msg("a")]);
}

#[test]
fn rule_comments() {
    table! {
        "comment: colon-first lines are ignored",
            b":hi\ndata: 1\n: data: 2\n:\n\n" => &[(M, "1", "")];
        "comment: a block of comments dispatches nothing",
            b": ping\n\n: ping\r\n\r\n" => &[];
        "comment: does not end the block",
            b"data: 1\n:\ndata: 2\n\n" => &[(M, "1\n2", "")];
    };
}

#[test]
fn rule_fields_colon_and_space() {
    table! {
        "no colon: the whole line is the name, value empty",
            b"data\n\n" => &[(M, "", "")];
        "no colon: two empty data lines",
            b"data\ndata\n\n" => &[(M, "\n", "")];
        "no colon: empty event name means message",
            b"event: a\nevent\ndata: x\n\n" => &[(M, "x", "")];
        "colon: only the first colon splits",
            b"data: a: b\n\n" => &[(M, "a: b", "")];
        "colon: a space before it belongs to the name",
            b"data : x\n\n" => &[];
        "colon: names are case-sensitive",
            b"Data: x\nDATA: y\n\n" => &[];
        "space: exactly one leading space is stripped",
            b"data:  x \n\n" => &[(M, " x ", "")];
        "space: none is fine",
            b"data:x\n\n" => &[(M, "x", "")];
        "space: a tab is not stripped",
            b"data:\tx\n\n" => &[(M, "\tx", "")];
        "space: a lone space is an empty value",
            b"data: \n\n" => &[(M, "", "")];
    };
}

#[test]
fn rule_data_joined_with_lf() {
    table! {
        "data: lines joined with LF",
            b"data: a\ndata: b\ndata: c\n\n" => &[(M, "a\nb\nc", "")];
        "data: only one trailing LF removed",
            b"data: a\ndata:\n\n" => &[(M, "a\n", "")];
        "data: two empty lines are one LF",
            b"data:\ndata:\n\n" => &[(M, "\n", "")];
        "data: NUL is kept",
            b"data: \0x\n\n" => &[(M, "\0x", "")];
        "data: value kept verbatim",
            b"data: {\"a\": \"b c\"}  \n\n" => &[(M, "{\"a\": \"b c\"}  ", "")];
    };
}

#[test]
fn rule_dispatch_and_event_type() {
    table! {
        "event: default is message",
            b"data: x\n\n" => &[(M, "x", "")];
        "event: empty value is message",
            b"event:\ndata: x\n\nevent: \ndata: y\n\n" => &[(M, "x", ""), (M, "y", "")];
        "event: the last one wins",
            b"event: a\nevent: b\ndata: x\n\n" => &[("b", "x", "")];
        "event: value kept verbatim",
            b"event:  two words \ndata: x\n\n" => &[(" two words ", "x", "")];
        "event: reset after each dispatch",
            b"event: a\ndata: 1\n\ndata: 2\n\n" => &[("a", "1", ""), (M, "2", "")];
        "empty data: no dispatch, and the event type is reset",
            b"event: a\n\ndata: x\n\n" => &[(M, "x", "")];
        "empty data: event after data is still that block's",
            b"data: x\nevent: late\n\n" => &[("late", "x", "")];
        "empty data: a blank line alone dispatches nothing",
            b"\n\n\r\n\r" => &[];
    };
}

#[test]
fn rule_id_field() {
    table! {
        "id: persists across events",
            b"id: 1\ndata: a\n\ndata: b\n\n" => &[(M, "a", "1"), (M, "b", "1")];
        "id: replaced by the next id",
            b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n" => &[(M, "a", "1"), (M, "b", "2")];
        "id: empty value resets",
            b"id: 1\ndata: a\n\nid:\ndata: b\n\nid\ndata: c\n\n" => &[(M, "a", "1"), (M, "b", ""), (M, "c", "")];
        "id: containing NUL is ignored",
            b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\nid: \0\ndata: c\n\n" => &[(M, "a", "1"), (M, "b", "1"), (M, "c", "1")];
        "id: after data still counts for the block",
            b"data: a\nid: 5\n\n" => &[(M, "a", "5")];
        "id: set by a block without data",
            b"id: 3\n\ndata: a\n\n" => &[(M, "a", "3")];
        "id: one leading space stripped only",
            b"id:  7 \ndata: a\n\n" => &[(M, "a", " 7 ")];
    };
}

#[test]
fn rule_last_event_id_is_the_value_at_the_last_blank_line() {
    let mut d = Decoder::new();
    assert_eq!(d.last_event_id(), "");
    assert_eq!(
        d.push(b"id: 1\ndata: a\n\nid: 2\ndata: b\n"),
        [ev(M, "a", "1")]
    );
    assert_eq!(d.last_event_id(), "1", "block 2 has not ended");
    assert_eq!(d.push(b"\n"), [ev(M, "b", "2")]);
    assert_eq!(d.last_event_id(), "2");
    assert_eq!(d.push(b"id: 9\n\n"), []);
    assert_eq!(
        d.last_event_id(),
        "9",
        "a blank line sets it even without data"
    );
}

#[test]
fn rule_retry_ascii_digits_only() {
    let cases: &[(&str, &[u8], Option<u64>)] = &[
        ("retry: digits", b"retry: 1000\n", Some(1000)),
        ("retry: zero", b"retry: 0\n", Some(0)),
        (
            "retry: leading zeros are base ten",
            b"retry:02000\n",
            Some(2000),
        ),
        (
            "retry: the last valid one wins",
            b"retry: 1\nretry: 2\n",
            Some(2),
        ),
        (
            "retry: invalid keeps the previous",
            b"retry: 2000\nretry: 1000x\n",
            Some(2000),
        ),
        ("retry: empty value ignored", b"retry:\n", None),
        ("retry: no colon ignored", b"retry\n", None),
        ("retry: lone space ignored", b"retry: \n", None),
        ("retry: second space ignored", b"retry:  10\n", None),
        ("retry: trailing space ignored", b"retry: 10 \n", None),
        ("retry: sign ignored", b"retry: -1\nretry: +1\n", None),
        ("retry: decimal ignored", b"retry: 1.5\nretry: 1e3\n", None),
        (
            "retry: non-ASCII digit ignored",
            "retry: ١٢\n".as_bytes(),
            None,
        ),
        (
            "retry: u64::MAX exactly",
            b"retry: 18446744073709551615\n",
            Some(u64::MAX),
        ),
        (
            "retry: overflow saturates",
            b"retry: 18446744073709551616\n",
            Some(u64::MAX),
        ),
        (
            "retry: huge saturates",
            b"retry: 000099999999999999999999999999999999\n",
            Some(u64::MAX),
        ),
        (
            "retry: unterminated line is not a field yet",
            b"retry: 1000",
            None,
        ),
    ];
    for &(rule, input, expect) in cases {
        let mut d = Decoder::new();
        assert_eq!(d.push(input), [], "rule: {rule}");
        assert_eq!(d.retry(), expect, "rule: {rule}");
    }
    // retry never dispatches, and does not disturb the block it sits in.
    assert_eq!(
        decode(b"retry: 10\n\ndata: a\nretry: 20\ndata: b\n\n"),
        [msg("a\nb")]
    );
}

#[test]
fn rule_unknown_fields_ignored() {
    table! {
        "unknown: ignored, block unaffected",
            b"foo: bar\ndata: x\nretryx: 1\nfoo\nids: 3\n\n" => &[(M, "x", "")];
    };
    let mut d = Decoder::new();
    d.push(b"retryx: 1\nretr: 2\n\n");
    assert_eq!(d.retry(), None);
}

#[test]
fn rule_unterminated_final_block_is_not_dispatched() {
    table! {
        "unterminated: no line end at all",
            b"data: a\n\ndata: b" => &[(M, "a", "")];
        "unterminated: no blank line",
            b"data: a\n\ndata: b\n" => &[(M, "a", "")];
        "unterminated: CR line end but no blank line",
            b"data: a\n\ndata: b\r" => &[(M, "a", "")];
        "unterminated: CRLF but no blank line",
            b"data: a\n\ndata: b\r\n" => &[(M, "a", "")];
    };
}

// Cases derived from web-platform-tests `eventsource/`. Their server script
// `resources/message.php` sends `message`, then "\n\n" unless `newline=none`, then "\n".

#[test]
fn wpt_format_bom() {
    let input = b"\xEF\xBB\xBFdata:1\n\n\xEF\xBB\xBFdata:2\n\ndata:3\n\n\n";
    assert_eq!(decode(input), [msg("1"), msg("3")]);
}

#[test]
fn wpt_format_bom_2() {
    let input = b"\xEF\xBB\xBF\xEF\xBB\xBFdata:1\n\ndata:2\n\ndata:3\n\n\n";
    assert_eq!(decode(input), [msg("2"), msg("3")]);
}

#[test]
fn wpt_format_comments() {
    let long = "x".repeat(2 * 1024);
    let input =
        format!("data:1\r:\0\n:\r\ndata:2\n:{long}\rdata:3\n:data:fail\r:{long}\ndata:4\n\n");
    assert_eq!(decode(input.as_bytes()), [msg("1\n2\n3\n4")]);
}

#[test]
fn wpt_format_data_before_final_empty_line() {
    let mut d = Decoder::new();
    let events = d.push(b"retry:1000\ndata:test1\n\nid:test\ndata:test2\n");
    assert_eq!(events, [msg("test1")]);
    assert_eq!(d.retry(), Some(1000));
    // The id of the block that never ended is not the stream's last event ID.
    assert_eq!(d.last_event_id(), "");
}

#[test]
fn wpt_format_field_data() {
    let input = b"data:\n\ndata\ndata\n\ndata:test\n\n\n";
    assert_eq!(decode(input), [msg(""), msg("\n"), msg("test")]);
}

#[test]
fn wpt_format_field_event() {
    let input = b"event:test\ndata:x\n\ndata:x\n\n\n";
    assert_eq!(decode(input), [ev("test", "x", ""), msg("x")]);
}

#[test]
fn wpt_format_field_event_empty() {
    assert_eq!(decode(b"event: \ndata:data\n\n\n"), [msg("data")]);
}

#[test]
fn wpt_format_field_id_and_reconnect() {
    // resources/last-event-id.php: first connection, then (reconnecting with the id) the
    // server echoes it back as data; the id persists into the new stream.
    let mut d = Decoder::new();
    let first = "id: …\nretry: 200\ndata: hello\n\n".as_bytes();
    assert_eq!(d.push(first), [ev(M, "hello", "…")]);
    assert_eq!((d.retry(), d.last_event_id()), (Some(200), "…"));
    assert_eq!(d.finish(), None);
    assert_eq!(d.push("data: …\n\n".as_bytes()), [ev(M, "…", "…")]);
}

#[test]
fn wpt_format_field_id_3() {
    // resources/last-event-id2.py, types 1 (persists), 2 (changes and persists), 3 (resets).
    let persists = b"id: 1\ndata: 1\n\ndata:2\n\n";
    assert_eq!(decode(persists), [ev(M, "1", "1"), ev(M, "2", "1")]);
    let changes = b"id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n";
    let expect = [ev(M, "1", "1"), ev(M, "2", "2"), ev(M, "3", "2")];
    assert_eq!(decode(changes), expect);
    let resets = b"id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n";
    assert_eq!(
        decode(resets),
        [ev(M, "1", "1"), ev(M, "2", ""), ev(M, "3", "")]
    );
}

#[test]
fn wpt_format_field_id_null() {
    // last-event-id.py?idvalue=%00%00. The current spec ignores an id containing U+0000.
    let mut d = Decoder::new();
    assert_eq!(
        d.push(b"id: \0\0\nretry: 200\ndata: hello\n\n"),
        [msg("hello")]
    );
    assert_eq!(d.last_event_id(), "");
}

#[test]
fn wpt_format_field_retry() {
    let mut d = Decoder::new();
    assert_eq!(d.push(b"retry:02000\ndata:x\n\n\n"), [msg("x")]);
    assert_eq!(d.retry(), Some(2000));
}

#[test]
fn wpt_format_field_retry_bogus() {
    let mut d = Decoder::new();
    assert_eq!(d.push(b"retry:2000\nretry:1000x\ndata:x\n\n\n"), [msg("x")]);
    assert_eq!(d.retry(), Some(2000));
}

#[test]
fn wpt_format_null_character() {
    assert_eq!(decode(b"data:\0\n\n\n\n\n"), [msg("\0")]);
}

#[test]
fn wpt_format_utf_8() {
    // Served as charset=windows-1252, still decoded as UTF-8.
    assert_eq!(decode(b"data:ok\xE2\x80\xA6\n\n\n"), [msg("ok…")]);
}

#[test]
fn max_line_edge_exactly_max_passes_max_plus_one_fails() {
    let mut d = Decoder::with_max_line(8);
    assert_eq!(d.try_push(b"data:123\n\n"), Ok(vec![msg("123")]));
    let err = d.try_push(b"data:1234\n\n");
    assert_eq!(err, Err(DecodeError::LineTooLong { max: 8 }));
    assert_eq!(d.try_push(b"data:ok\n\n"), Ok(vec![msg("ok")]));
    // The same edge when the line is buffered across chunks.
    assert_eq!(d.try_push(b"data:"), Ok(vec![]));
    assert_eq!(d.try_push(b"123"), Ok(vec![]));
    assert_eq!(d.buffered_len(), 8);
    assert_eq!(d.try_push(b"\n\n"), Ok(vec![msg("123")]));
    assert_eq!(d.try_push(b"data:123"), Ok(vec![]));
    assert!(d.try_push(b"4").is_err());
    assert_eq!(d.buffered_len(), 0);
    // The error is reported once; the rest of the long line is skipped silently.
    assert_eq!(d.try_push(b"56789"), Ok(vec![]));
    assert_eq!(d.try_push(b"\ndata:ok\n\n"), Ok(vec![msg("ok")]));
    assert_eq!(
        DecodeError::LineTooLong { max: 8 }.to_string(),
        "an event-stream line exceeded 8 bytes"
    );
}

#[test]
fn max_line_discarded_line_does_not_leak_into_the_block() {
    let mut d = Decoder::with_max_line(8);
    let input = b"data:a\ndata:123456789\ndata:b\n\n";
    assert_eq!(d.push(input), [msg("a\nb")]);
    // Over-long line ended by a CRLF split across chunks: the LF is not a blank line.
    let mut d = Decoder::with_max_line(8);
    let chunks: [&[u8]; 4] = [b"data:a\n", b"data:123456789\r", b"\n", b"data:b\n\n"];
    assert_eq!(push_all(&mut d, &chunks), [msg("a\nb")]);
    // The BOM does not count towards the first line; comments count like any line.
    let mut d = Decoder::with_max_line(8);
    assert_eq!(
        d.try_push(b"\xEF\xBB\xBFdata:123\n\n"),
        Ok(vec![msg("123")])
    );
    assert!(d.try_push(b":comment!\n").is_err());
}

#[test]
fn max_line_zero_allows_only_blank_lines() {
    let mut d = Decoder::with_max_line(0);
    assert_eq!(d.try_push(b"\n\r\n\r"), Ok(vec![]));
    assert!(d.try_push(b"d").is_err());
    assert_eq!(d.buffered_len(), 0);
    assert_eq!(d.finish(), None);
}

#[test]
fn try_push_error_leaves_the_state_push_would() {
    let chunk = b"id: 1\ndata:a\n\ndata:123456789\ndata:b\n\nid: 2\ndata:c";
    let mut strict = Decoder::with_max_line(8);
    let mut lenient = Decoder::with_max_line(8);
    assert!(strict.try_push(chunk).is_err());
    let all = [ev(M, "a", "1"), ev(M, "b", "1")];
    assert_eq!(
        lenient.push(chunk),
        all,
        "push keeps the events around the long line"
    );
    assert_eq!(strict.last_event_id(), lenient.last_event_id());
    assert_eq!(strict.try_push(b"\n\n"), Ok(lenient.push(b"\n\n")));
    assert_eq!(strict.last_event_id(), "2");
}

#[test]
fn max_line_memory_stays_bounded() {
    let mut d = Decoder::with_max_line(64);
    for _ in 0..1000 {
        d.push(&[b'x'; 100]);
        assert_eq!(d.buffered_len(), 0);
        assert!(d.buffered_capacity() <= 64);
    }
    for _ in 0..63 {
        d.push(b"\nx");
    }
    assert!(d.buffered_len() <= 64 && d.buffered_capacity() <= 64);
    assert_eq!(Decoder::new().max_line, DEFAULT_MAX_LINE);
    assert_eq!(Decoder::default().max_line, DEFAULT_MAX_LINE);
}

#[test]
fn finish_unterminated_last_line() {
    // The ending of testdata/streams/anthropic-sdk-python/
    // anthropic_lib-streaming_basic_response.sse: no newline after the last data line.
    let tail = b"event: message_delta\ndata: {\"type\":\"message_delta\"}\n\n\
                 event: message_stop\ndata: {\"type\":\"message_stop\"}";
    let mut d = Decoder::new();
    assert_eq!(
        d.push(tail),
        [ev("message_delta", "{\"type\":\"message_delta\"}", "")]
    );
    let stop = ev("message_stop", "{\"type\":\"message_stop\"}", "");
    assert_eq!(d.finish(), Some(stop));
    assert_eq!(d.finish(), None, "finish twice dispatches nothing new");
}

#[test]
fn finish_pending_block() {
    let mut d = Decoder::new();
    assert_eq!(d.push(b"id: 4\ndata: x\r\ndata: y\r\n"), []);
    assert_eq!(d.finish(), Some(ev(M, "x\ny", "4")));
    assert_eq!(d.last_event_id(), "4");
    let mut d = Decoder::new();
    assert_eq!(d.push(b"retry: 70"), []);
    assert_eq!(d.finish(), None);
    assert_eq!(
        d.retry(),
        Some(70),
        "the unterminated line is a complete line"
    );
}

#[test]
fn finish_nothing_pending() {
    assert_eq!(Decoder::new().finish(), None);
    let mut d = Decoder::new();
    assert_eq!(d.push(b"data: x\n\n"), [msg("x")]);
    assert_eq!(d.finish(), None);
    for input in [&b": ping"[..], b"event: e\n", b"id: 5", b"\xEF\xBB"] {
        let mut d = Decoder::new();
        assert_eq!(d.push(input), []);
        assert_eq!(d.finish(), None, "input {input:?}");
    }
    // The over-long unterminated line is dropped, the block before it still ends.
    let mut d = Decoder::with_max_line(8);
    assert_eq!(d.push(b"data: a\ndata:123456789"), []);
    assert_eq!(d.finish(), Some(msg("a")));
}

#[test]
fn finish_starts_a_new_stream_keeping_id_and_retry() {
    let mut d = Decoder::new();
    d.push(b"id: 3\nretry: 50\ndata: x\r");
    assert_eq!(d.finish(), Some(ev(M, "x", "3")));
    // New stream: a BOM is stripped again.
    assert_eq!(d.push(b"\xEF\xBB\xBFdata: y\n\n"), [ev(M, "y", "3")]);
    assert_eq!((d.retry(), d.last_event_id()), (Some(50), "3"));
}

#[test]
fn decoder_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Decoder>();
}

/// Streams covering every rule; each is cut at every offset and at random offsets.
const REPRESENTATIVE: &[(usize, &[u8])] = &[
    (
        DEFAULT_MAX_LINE,
        b"\xEF\xBB\xBFdata: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\r\n\r\nid: 1\r\n\
          event: a\rdata: x\r\r: comment\ndata\n\nretry: 1500\nid: 2\0\ndata: y\r\n\r\n\
          retry: 99999999999999999999999\nid\n\n",
    ),
    (
        DEFAULT_MAX_LINE,
        b"\xEF\xBB\xBF\xEF\xBB\xBFdata: 1\n\ndata: 2\r\n\r\n",
    ),
    (
        DEFAULT_MAX_LINE,
        b"data: \xFF\xE2\x82\n\xED\xA0\x80data:\xF0\x9F\ndata\xE2\x82\xAC\n\n",
    ),
    (
        DEFAULT_MAX_LINE,
        b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n\
          event: content_block_delta\ndata: {\"text\":\"\xE2\x80\xA6\"}\n\n: ping\n\n\
          event: message_stop\ndata: {\"type\":\"message_stop\"}",
    ),
    (DEFAULT_MAX_LINE, b"\r\n\r\n\r\r\n\n\rdata:a\r\r\ndata:b\r"),
    (DEFAULT_MAX_LINE, b"\xEF\xBBx\n\ndata: ok\n\n"),
    (
        8,
        b"data:a\ndata:123456789\r\ndata:b\n\ndata:12345678\n\n:12345678\rdata:1234567890",
    ),
    (3, b"\xEF\xBB\xBFid:\n\xE2\x82\xAC\r\n\n"),
];

#[test]
fn every_single_split_offset_gives_the_same_result() {
    for &(max_line, input) in REPRESENTATIVE {
        let whole = run(max_line, [input]);
        for at in 0..=input.len() {
            let split = run(max_line, [&input[..at], &input[at..]]);
            assert_eq!(split, whole, "input {input:?} split at {at}");
        }
        assert_eq!(
            run(max_line, input.chunks(1)),
            whole,
            "input {input:?} byte by byte"
        );
    }
}

/// Byte-level SSE vocabulary, so random streams hit the interesting paths often.
fn sseish() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"data",
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"\xEF\xBB\xBF",
        b"\xEF",
        b"\0",
        b"12",
        b"x",
        b"\xE2\x82\xAC",
        b"\xE2",
        b"\xFF",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|p| p.concat())
}

/// A naive model of the spec for comparison: decode the WHOLE stream to text first, then
/// split lines and interpret them with string operations. Returns (events, retry, last id).
fn model(input: &[u8]) -> (Vec<Event>, Option<u64>, String) {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = String::from_utf8_lossy(body);
    let mut rest: &str = &text;
    let mut lines = Vec::new();
    while let Some(i) = rest.find(['\r', '\n']) {
        lines.push(&rest[..i]);
        rest = &rest[i + if rest[i..].starts_with("\r\n") { 2 } else { 1 }..];
    }
    let (mut data, mut kind, mut id, mut last_id) = (String::new(), "", "", "");
    let (mut retry, mut events) = (None, Vec::new());
    for line in lines {
        if line.is_empty() {
            last_id = id;
            if !data.is_empty() {
                let data = data.strip_suffix('\n').unwrap_or(&data);
                let event = if kind.is_empty() { "message" } else { kind };
                events.push(ev(event, data, id));
            }
            (data, kind) = (String::new(), "");
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "data" => data = format!("{data}{value}\n"),
            "event" => kind = value,
            "id" if !value.contains('\0') => id = value,
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                retry = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {}
        }
    }
    (events, retry, last_id.to_owned())
}

/// Line lengths in bytes (BOM stripped), including an unterminated last line.
fn line_lengths(input: &[u8]) -> Vec<usize> {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut lengths = Vec::new();
    let mut len = 0;
    let mut after_cr = false;
    for &b in body {
        match b {
            b'\n' if after_cr => {}
            b'\r' | b'\n' => lengths.push(std::mem::take(&mut len)),
            _ => len += 1,
        }
        after_cr = b == b'\r';
    }
    if len > 0 {
        lengths.push(len);
    }
    lengths
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn representative_random_multi_splits(
        which in 0..REPRESENTATIVE.len(),
        points in prop::collection::vec(0usize..400, 0..12),
    ) {
        let (max_line, input) = REPRESENTATIVE[which];
        prop_assert_eq!(run_split(max_line, input, &points), run(max_line, [input]));
    }

    #[test]
    fn generated_streams_random_multi_splits(
        input in sseish(),
        max_line in prop::sample::select(vec![0usize, 1, 2, 5, 16, DEFAULT_MAX_LINE]),
        points in prop::collection::vec(0usize..400, 0..12),
    ) {
        prop_assert_eq!(run_split(max_line, &input, &points), run(max_line, [&input[..]]));
    }

    #[test]
    fn generated_streams_agree_with_the_whole_stream_model(input in sseish()) {
        let got = run(DEFAULT_MAX_LINE, [&input[..]]);
        prop_assert_eq!((got.events, got.retry, got.last_id), model(&input));
    }

    #[test]
    fn each_over_long_line_is_reported_once(
        input in sseish(),
        max_line in 0usize..12,
    ) {
        // A final line end, so that held-back BOM bytes at the very end count as a line.
        let input = [&input[..], b"\n"].concat();
        let expected = line_lengths(&input).iter().filter(|&&len| len > max_line).count();
        let mut d = Decoder::with_max_line(max_line);
        let reported = input.chunks(1).filter(|byte| d.try_push(byte).is_err()).count();
        prop_assert_eq!(reported, expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        input in prop::collection::vec(any::<u8>(), 0..2048),
        points in prop::collection::vec(0usize..2048, 0..16),
        max_line in 0usize..48,
        strict in any::<bool>(),
    ) {
        let mut cuts = points;
        cuts.push(input.len());
        cuts.sort_unstable();
        let mut d = Decoder::with_max_line(max_line);
        let mut start = 0;
        for cut in cuts {
            let chunk = &input[start..cut.min(input.len()).max(start)];
            start += chunk.len();
            if strict {
                let _ = d.try_push(chunk);
            } else {
                d.push(chunk);
            }
            prop_assert!(d.buffered_len() <= max_line);
            prop_assert!(d.buffered_capacity() <= max_line);
        }
        let _ = d.finish();
        prop_assert_eq!(d.buffered_len(), 0);
    }
}

#[test]
fn an_event_larger_than_the_event_limit_is_dropped_and_reported_at_its_edge() {
    // Two data lines of 4 bytes join to "aaaa\nbbbb": 9 bytes of data.
    let stream = b"data: aaaa\ndata: bbbb\n\ndata: ok\n\n";
    let mut exact = Decoder::with_limits(64, 9);
    let events = exact
        .try_push(stream)
        .expect("an event of exactly the limit passes");
    assert_eq!(
        events.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(),
        ["aaaa\nbbbb", "ok"]
    );

    let mut tight = Decoder::with_limits(64, 8);
    assert_eq!(
        tight.try_push(stream),
        Err(DecodeError::EventTooLarge { max: 8 })
    );
    // Decoding goes on after the dropped event, and `push` drops it silently.
    assert_eq!(tight.try_push(b"data: next\n\n").unwrap()[0].data, "next");
    let mut quiet = Decoder::with_limits(64, 8);
    assert_eq!(
        quiet
            .push(stream)
            .iter()
            .map(|e| e.data.as_str())
            .collect::<Vec<_>>(),
        ["ok"]
    );
}

#[test]
fn endless_data_lines_without_a_blank_line_stay_bounded() {
    let mut d = Decoder::with_limits(1024, 4096);
    let mut reported = 0;
    for _ in 0..10_000 {
        if d.try_push(b"data: 0123456789abcdef0123456789abcdef\n")
            .is_err()
        {
            reported += 1;
        }
    }
    assert_eq!(
        reported, 1,
        "reported once, when the event crossed the limit"
    );
    assert!(d.fields_data_len() <= 4096);
    assert_eq!(d.try_push(b"\ndata: after\n\n").unwrap()[0].data, "after");
}

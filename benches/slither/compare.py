#!/usr/bin/env python3
"""Runs the offline analyzer and Slither on the same corpus and prints, per vulnerability
class, each tool's recall and share of findings on an expected location, as the markdown
table kept in docs/analyzer-vs-slither.md. A benchmark, not part of the test command.

The corpus has the shape of testdata/analyzer/: <class>/<case>.sol with <case>.expected
listing `class severity line`. An expected finding counts as found when a finding of that
class covers its line: for the analyzer one of its locations (a line or a range), for
Slither one of its statement-level elements (`node`; a detector that names only functions
or contracts falls back to their first line, never to the whole span). Severity is not
compared (Slither's impact levels are its own); tests/analyzer_classes.rs checks ours.

    benches/slither/setup.sh                       # once: Slither and solc-js, see there
    cargo build --features ssr --bin auditstream
    benches/slither/compare.py [--corpus DIR] [--auditstream BIN] [--write FILE]

Slither runs on each case alone in a scratch directory with `--solc-standard-json` and the
installed solc-js release that fits the file's pragma (./solc.js answers for it).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SLITHER_HOME = Path(os.environ.get("AUDITSTREAM_SLITHER_HOME", Path.home() / ".cache/auditstream-slither"))

# The analyzer's rules and Slither's detectors for each class.
CLASSES = {
    "reentrancy": (
        {"reentrancy", "reentrancy-gas-limited"},
        {"reentrancy-eth", "reentrancy-no-eth", "reentrancy-benign", "reentrancy-unlimited-gas"},
    ),
    "ether-theft": ({"arbitrary-send"}, {"arbitrary-send-eth"}),
    "tx-origin": ({"tx-origin"}, {"tx-origin"}),
    "timestamp": ({"timestamp"}, {"timestamp"}),
    "unchecked-call": ({"unchecked-call"}, {"unchecked-send", "unchecked-lowlevel"}),
    "weak-randomness": ({"weak-randomness"}, {"weak-prng"}),
    "integer-overflow": ({"integer-overflow"}, set()),
    "front-running": ({"front-running"}, set()),
}


def load_corpus(root: Path) -> list[tuple[Path, list[tuple[str, int]]]]:
    cases = []
    for sol in sorted(root.glob("*/*.sol")):
        expected = []
        for line in sol.with_suffix(".expected").read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                cls, _severity, at = line.split()
                expected.append((cls, int(at)))
        cases.append((sol, expected))
    return cases


def analyzer_findings(binary: Path, sol: Path) -> list[tuple[str, list[range]]]:
    out = subprocess.run(
        [str(binary), "audit", "--format", "json", "--quiet", str(sol)],
        capture_output=True, text=True, check=False,
    )
    doc = json.loads(out.stdout)
    found = []
    for f in doc["findings"]:
        cls = next((c for c, (rules, _) in CLASSES.items() if f["rule"] in rules), None)
        if cls:
            spans = [range(l["line"], (l.get("end_line") or l["line"]) + 1) for l in f["locations"]]
            found.append((cls, spans))
    return found


# ---- choosing a compiler -----------------------------------------------------------------
def vt(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def installed() -> list[str]:
    return sorted((p.name[len("solc-"):] for p in (SLITHER_HOME / "bin").glob("solc-*")), key=vt)


def satisfies(v: tuple[int, ...], constraint: str) -> bool:
    for op, ver in re.findall(r"(\^|~|>=|<=|>|<|=)?\s*(\d+\.\d+(?:\.\d+)?)", constraint):
        w = vt(ver) + (0,) * (3 - len(vt(ver)))
        ok = {
            "^": w <= v < ((w[0], w[1] + 1, 0) if w[0] == 0 else (w[0] + 1, 0, 0)),
            "~": w <= v < (w[0], w[1] + 1, 0),
            ">=": v >= w, "<=": v <= w, ">": v > w, "<": v < w,
        }.get(op, v == w)
        if not ok:
            return False
    return True


def pick_solc(sol: Path, versions: list[str]) -> str | None:
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", sol.read_text(errors="replace"), flags=re.S)
    pragmas = re.findall(r"pragma\s+solidity\s+([^;]+);", text)
    fits = [v for v in versions if all(satisfies(vt(v), p) for p in pragmas)]
    if not fits:
        return None
    # The newest release of the oldest series allowed: `>=0.4.22` code rarely builds on 0.8.
    series = vt(fits[0])[:2]
    return [v for v in fits if vt(v)[:2] == series][-1]


def slither_findings(sol: Path, versions: list[str]) -> tuple[list[tuple[str, list[range]]], str | None]:
    version = pick_solc(sol, versions)
    if not version:
        return [], "no installed solc fits the pragma"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copy(sol, src / sol.name)
        out = Path(tmp) / "out.json"
        subprocess.run(
            [str(SLITHER_HOME / "venv/bin/slither"), str(src), "--solc", str(SLITHER_HOME / f"bin/solc-{version}"),
             "--solc-standard-json", "--json", str(out), "--disable-color"],
            capture_output=True, text=True, cwd=tmp, timeout=600, check=False,
        )
        if not out.exists():
            return [], f"slither wrote no output (solc {version})"
        doc = json.loads(out.read_text())
    if not doc.get("success"):
        return [], f"slither failed (solc {version}): {str(doc.get('error'))[:120]}"
    found = []
    for d in doc.get("results", {}).get("detectors", []):
        cls = next((c for c, (_, checks) in CLASSES.items() if d["check"] in checks), None)
        if not cls:
            continue
        elements = d.get("elements", [])
        nodes = [e for e in elements if e.get("type") == "node"] or elements[:1]
        spans = []
        for e in nodes:
            lines = e.get("source_mapping", {}).get("lines") or []
            if lines:
                spans.append(range(min(lines), max(lines) + 1) if e.get("type") == "node" else range(lines[0], lines[0] + 1))
        found.append((cls, spans))
    return found, None


def tally(cases, findings_of, tool, verbose):
    rows = {c: {"expected": 0, "found": 0, "findings": 0, "on_location": 0} for c in CLASSES}
    for sol, expected in cases:
        found = findings_of(sol)
        for cls, at in expected:
            rows[cls]["expected"] += 1
            if any(c == cls and any(at in s for s in spans) for c, spans in found):
                rows[cls]["found"] += 1
            elif verbose:
                print(f"  {tool}: missed {cls} at {at} in {sol.name}", file=sys.stderr)
        for cls, spans in found:
            rows[cls]["findings"] += 1
            if any(c == cls and any(at in s for s in spans) for c, at in expected):
                rows[cls]["on_location"] += 1
            elif verbose:
                lines = sorted({l for s in spans for l in s})
                print(f"  {tool}: {cls} off the expected lines at {lines} in {sol.name}", file=sys.stderr)
    return rows


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}% ({a}/{b})" if b else "–"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "testdata/analyzer")
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    ap.add_argument("--auditstream", type=Path, default=target / "debug/auditstream")
    ap.add_argument("--write", type=Path, help="also replace the table between the markers in this file")
    ap.add_argument("--verbose", action="store_true", help="list every miss and every finding off the expected lines")
    args = ap.parse_args()

    cases = load_corpus(args.corpus)
    versions = installed()
    if not versions:
        sys.exit(f"no solc launchers in {SLITHER_HOME}/bin: run benches/slither/setup.sh")
    failures = []

    def slither_of(sol):
        found, err = slither_findings(sol, versions)
        if err:
            failures.append(f"{sol.relative_to(args.corpus)}: {err}")
        return found

    ours = tally(cases, lambda sol: analyzer_findings(args.auditstream, sol), "analyzer", args.verbose)
    theirs = tally(cases, slither_of, "slither", args.verbose)
    out = [
        f"Corpus: `{args.corpus.relative_to(REPO) if args.corpus.is_relative_to(REPO) else args.corpus}`, "
        f"{len(cases)} contracts, {sum(len(e) for _, e in cases)} expected findings; "
        f"Slither {subprocess.run([str(SLITHER_HOME / 'venv/bin/slither'), '--version'], capture_output=True, text=True).stdout.strip()}.",
        "",
        "| class | expected | analyzer recall | Slither recall | analyzer on an expected location | Slither on an expected location |",
        "|---|---|---|---|---|---|",
    ]
    for cls in CLASSES:
        a, s = ours[cls], theirs[cls]
        out.append(
            f"| {cls} | {a['expected']} | {pct(a['found'], a['expected'])} | {pct(s['found'], s['expected'])} | "
            f"{pct(a['on_location'], a['findings'])} | {pct(s['on_location'], s['findings'])} |"
        )
    tot = lambda rows, k: sum(r[k] for r in rows.values())
    out.append(
        f"| **all** | {tot(ours, 'expected')} | {pct(tot(ours, 'found'), tot(ours, 'expected'))} | "
        f"{pct(tot(theirs, 'found'), tot(theirs, 'expected'))} | {pct(tot(ours, 'on_location'), tot(ours, 'findings'))} | "
        f"{pct(tot(theirs, 'on_location'), tot(theirs, 'findings'))} |"
    )
    if failures:
        out += ["", "Slither could not analyse:", ""] + [f"- {f}" for f in failures]
    table = "\n".join(out)
    print(table)
    if args.write:
        text = args.write.read_text()
        start, end = "<!-- table:start -->", "<!-- table:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        args.write.write_text(f"{head}{start}\n{table}\n{end}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

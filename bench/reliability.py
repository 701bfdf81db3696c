"""`python -m bench.reliability`: newsprism under hostile input and crashes, written to docs/reliability.md.

    python -m bench.reliability                  # every section (tens of minutes on 2 cores)
    python -m bench.reliability --sections inputs,fuzz --fuzz-examples 2000

Sections (issue 26's acceptance):
- inputs: each pathological input beside the sample story's five articles, analysed by the CLI at the default
  budgets; its outcome (rejected or truncated, with the reason), wall seconds, peak memory of the whole process
  tree (sampled), and whether the five other articles were analysed;
- fuzz: hypothesis over every reader and the cleaner, counting inputs, crashes, rejections and articles;
- kill: `newsprism analyze` over 200 articles killed with SIGKILL at random moments, then run once more; the
  report must equal an uninterrupted run's (same articles, stories and claim groups), with no duplicate and
  SQLite's integrity check ok;
- fetch and web: the hostile-server and hostile-client cases, on loopback only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "seed-story"
NEWSPRISM = [sys.executable, "-m", "newsprism.cli"]
INPUT_SECONDS_GOAL = 10.0
INPUT_MB_GOAL = 500.0


@dataclass(frozen=True)
class Pathological:
    name: str
    file_name: str
    make: Callable[[], bytes]
    what: str


SENTENCE = "The council met on Tuesday and voted to keep the library open until nine."


def _sentences(n_bytes: int, sep: str = " ") -> bytes:
    return ((SENTENCE + sep) * (n_bytes // (len(SENTENCE) + len(sep)) + 1)).encode()[:n_bytes]


def _gzip_text(n_bytes: int) -> bytes:
    return gzip.compress(_sentences(n_bytes, "\n"), compresslevel=9)


PATHOLOGICAL = (
    Pathological("none", "", lambda: b"", "nothing more: the sample story alone (the baseline)"),
    Pathological(
        "parens", "parens.txt",
        lambda: (_sentences(220, " ").decode() + ")" * 30_000).encode(),
        "three sentences, then 30,000 ')' (30 KB): spaCy's tokenizer is quadratic in a token's length",
    ),
    Pathological(
        "one_line_2mb", "one_line.txt", lambda: _sentences(2_000_000),
        "a 2 MB article on one line (26,000 sentences to split, parse and embed)",
    ),
    Pathological(
        "gzip_45mb", "inflates.txt.gz", lambda: _gzip_text(45_000_000),
        "a small .txt.gz that inflates to 45 MB of text",
    ),
    Pathological(
        "dots", "dots.txt", lambda: b"." * 605_000, "605 KB of full stops",
    ),
    Pathological(
        "tiny_lines", "tiny.jsonl", lambda: b'{"text": "x"}\n' * 1_000_000,
        "a 14 MB JSONL file of a million tiny records",
    ),
    Pathological(
        "big_integer", "big_integer.jsonl",
        lambda: b'{"text": "The council met.", "title": ' + b"9" * 5000 + b"}\n",
        "a JSONL integer of 5,000 digits (Python refuses more than 4,300)",
    ),
    Pathological(
        "deep_json", "deep.jsonl", lambda: b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "a JSONL line nested 100,000 arrays deep",
    ),
    Pathological(
        "lone_surrogate", "surrogate.jsonl",
        lambda: json.dumps({"text": SENTENCE * 2, "title": "\udfff"}).encode() + b"\n",
        "a title holding a lone surrogate",
    ),
    Pathological(
        "deep_html", "deep.html",
        lambda: b"<html><body>" + b"<div>" * 100_000 + b"<p>The council met.</p>" + b"</div>" * 100_000,
        "HTML nested 100,000 elements deep",
    ),
    Pathological(
        "gzip_bomb", "bomb.html.gz", lambda: gzip.compress(b"\0" * 200_000_000, compresslevel=9),
        "a gzip bomb (200 KB inflating to 200 MB)",
    ),
    Pathological(
        "billion_laughs", "laughs.rss",
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(
                f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                for i in range(1, 10)
            )
            + b']><rss><channel><item><title>&lol9;</title></item></channel></rss>'
        ),
        "a feed whose entities expand a billion times",
    ),
    Pathological(
        "random_bytes", "random.html", lambda: os.urandom(1_000_000), "1 MB of random bytes named .html",
    ),
)  # fmt: skip


def _tree_memory_mb(root_pid: int) -> tuple[float, float]:
    """Memory of a process and all its descendants, from /proc: the sum of their proportional set sizes (PSS,
    so pages that forked workers share with their parent count once), and the largest one's peak RSS."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total_kb = largest_kb = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
                break
        for line in status.splitlines():
            if line.startswith("VmHWM:"):  # the process's own peak resident set
                largest_kb = max(largest_kb, int(line.split()[1]))
                break
    return total_kb / 1000, largest_kb / 1000


def run_measured(command: list[str], timeout: float) -> dict[str, Any]:
    """Run a command; its exit code, wall seconds, peak memory of its process tree, stdout and stderr."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        peak = largest = 0.0
        timed_out = False
        while process.poll() is None:
            tree, one = _tree_memory_mb(process.pid)
            peak, largest = max(peak, tree), max(largest, one)
            if time.monotonic() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                timed_out = True
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return {
            "rc": process.returncode,
            "seconds": round(seconds, 1),
            "peak_mb": round(peak),
            "process_peak_mb": round(largest),
            "timed_out": timed_out,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def run_inputs(timeout: float = 120.0, only: list[str] | None = None, log=print) -> list[dict[str, Any]]:
    """Each pathological input beside the sample story, analysed by the CLI into a fresh store."""
    rows = []
    for case in PATHOLOGICAL:
        if only and case.name not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            for article in sorted(SAMPLE.glob("*.txt")):
                shutil.copy(article, folder / article.name)
            data = case.make()
            if case.file_name:
                (folder / case.file_name).write_bytes(data)
            db = Path(tmp) / "store.db"
            report = Path(tmp) / "report"
            measured = run_measured(
                [*NEWSPRISM, "analyze", str(folder), "--db", str(db), "--out", str(report)], timeout
            )
            row = {"name": case.name, "what": case.what, "bytes": len(data), **measured}
            row.update(_outcome(case, report / "report.json", measured["stderr"]))
            del row["stdout"], row["stderr"]
            log(f"{case.name}: {json.dumps(row)}")
            rows.append(row)
    return rows


def _outcome(case: Pathological, report_path: Path, stderr: str) -> dict[str, Any]:
    if not case.file_name:
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
        return {"others_analysed": len(report.get("articles", [])), "articles": 0, "reason": ""}
    reasons = [line.strip() for line in stderr.splitlines() if case.file_name in line]
    if not report_path.is_file():
        return {"others_analysed": 0, "articles": 0, "reason": " / ".join(reasons[:2])[:300]}
    report = json.loads(report_path.read_text(encoding="utf-8"))
    articles = report.get("articles", [])
    others = sum(1 for a in articles if Path(str(a.get("source", ""))).parent.name == "in"
                 and case.file_name not in str(a.get("source", "")))  # fmt: skip
    notes = [
        r.get("reason", "")
        for a in articles
        if case.file_name in str(a.get("source", ""))
        for r in a.get("removed", [])
        if "budget" in str(r.get("reason", "")) or "max_" in str(r.get("reason", ""))
    ]
    return {
        "others_analysed": others,
        "articles": sum(1 for a in articles if case.file_name in str(a.get("source", ""))),
        "rejections": sum(1 for r in report.get("rejected", []) if case.file_name in str(r.get("input", ""))),
        "reason": " / ".join([*reasons[:1], *notes[:1]])[:300],
    }


def run_fuzz(examples: int = 10_000, log=print) -> dict[str, Any]:
    """Hypothesis inputs (tests/test_ingest_fuzz.py's strategy: bytes, format fragments, JSONL records) for
    every reader, each document it yields then cleaned: count inputs, rejections, articles and crashes."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from tests.test_ingest_fuzz import SUFFIXES, documents

    from newsprism.clean import clean_document
    from newsprism.errors import InputError
    from newsprism.ingest import read_file
    from newsprism.records import RawDocument, Rejection

    counts = {"inputs": 0, "documents": 0, "articles": 0, "rejections": 0, "unnamed": 0}
    crashes: list[str] = []

    @given(suffix=st.sampled_from(SUFFIXES), data=documents, zipped=st.booleans())
    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def one(suffix: str, data: bytes, zipped: bool) -> None:
        counts["inputs"] += 1
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"input{suffix}{'.gz' if zipped else ''}"
            path.write_bytes(gzip.compress(data) if zipped else data)
            try:
                for item in read_file(path):
                    if isinstance(item, Rejection):
                        counts["rejections"] += 1
                        counts["unnamed"] += not item.reason.strip()
                        continue
                    assert isinstance(item, RawDocument)
                    counts["documents"] += 1
                    try:
                        clean_document(item)
                        counts["articles"] += 1
                    except InputError as exc:
                        counts["rejections"] += 1
                        counts["unnamed"] += not exc.cause.strip()
            except Exception as exc:  # noqa: BLE001 - a crash is what this counts
                crashes.append(f"{suffix} zipped={zipped}: {type(exc).__name__}: {exc}"[:300])

    started = time.monotonic()
    one()
    result = {**counts, "crashes": len(crashes), "first_crashes": crashes[:5],
              "seconds": round(time.monotonic() - started)}  # fmt: skip
    log(f"fuzz: {result}")
    return result


SUITES = ("tests/test_fetch.py", "tests/test_web.py", "tests/test_web_browser.py")


def run_suites(log=print) -> dict[str, Any]:
    """The hostile-server (fetch) and hostile-client (web app, in Chromium) cases of the test suite, on
    loopback only: how many ran and how many held."""
    import xml.etree.ElementTree as ET

    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", f"--junitxml={junit}",
             *SUITES],
            cwd=ROOT, capture_output=True, check=False,
        )  # fmt: skip
        suites = ET.parse(junit).getroot()
    counts = {"cases": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.iter("testsuite"):
        counts["cases"] += int(suite.get("tests", 0))
        for key in ("failures", "errors", "skipped"):
            counts[key] += int(suite.get(key, 0))
    counts["passed"] = counts["cases"] - counts["failures"] - counts["errors"] - counts["skipped"]
    log(f"suites: {counts}")
    return counts


SHARED = ROOT.parent / "shared"
KILL_INPUTS = (("eval/clustering/basil-dev.jsonl", 150), ("eval/clustering/ecbplus-dev.jsonl", 50))
_KEPT_FIELDS = ("text", "title", "url", "published", "outlet", "authors")


def kill_input(folder: Path) -> Path:
    """200 articles (basil-dev's 150 and ecbplus-dev's first 50) as one JSONL file, read from ../shared at run
    time, ids left out (an input's id is what newsprism makes of it)."""
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for name, limit in KILL_INPUTS:
            with (SHARED / name).open(encoding="utf-8") as lines:
                for _, line in zip(range(limit), lines, strict=False):
                    record = json.loads(line)
                    kept = {k: record[k] for k in _KEPT_FIELDS if record.get(k)}
                    out.write(json.dumps(kept, ensure_ascii=False) + "\n")
    return path


def report_outline(report_path: Path) -> dict[str, Any]:
    """What a kill must not change, independent of ids: the articles (input line -> text), the stories (sets of
    member lines) and each story's claim groups (evidence spans and status)."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    line_of = {a["id"]: a["source"].rsplit("#", 1)[-1] for a in report["articles"]}
    for a in report["articles"]:
        for alias in a.get("aliases", []):
            line_of.setdefault(alias, line_of[a["id"]])
    stories = sorted(sorted(line_of[i] for i in s["article_ids"]) for s in report["stories"])
    claims = sorted(
        json.dumps(
            [c.get("status"), sorted([line_of[e["article_id"]], e["start"], e["end"]] for e in c["evidence"])]
        )
        for s in report["stories"]
        for c in s.get("claims", [])
    )
    briefs = sorted(" ".join(b.get("text", "") for b in s.get("brief", [])) for s in report["stories"])
    articles = {line_of[a["id"]]: a["text"] for a in report["articles"]}
    return {"articles": articles, "stories": stories, "claims": claims, "briefs": briefs}


def _store_checks(db: Path) -> dict[str, Any]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        bodies = conn.execute("SELECT count(DISTINCT text_key) FROM articles").fetchone()[0]
        storyless = conn.execute(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_members)"
        ).fetchone()[0]
    return {"integrity": integrity, "articles": articles, "duplicate_bodies": articles - bodies,
            "without_story": storyless}  # fmt: skip


def run_kills(trials: int = 20, seed: int = 26, log=print) -> dict[str, Any]:
    """An uninterrupted run, then `trials` times: a fresh store, a run killed (SIGKILL, whole process group) at a
    random moment within 90 % of the uninterrupted run's length, and one more run to the end, whose report must
    equal the uninterrupted run's."""
    import random

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = kill_input(folder)

        def analyze(db: Path, out: Path, timeout: float) -> dict[str, Any]:
            return run_measured(
                [*NEWSPRISM, "analyze", str(source), "--db", str(db), "--out", str(out), "--quiet"], timeout
            )

        reference = analyze(folder / "reference.db", folder / "reference", 3600)
        if reference["rc"] not in (0, 1):
            raise RuntimeError(f"the uninterrupted run failed: {reference['stderr'][-2000:]}")
        length = reference["seconds"]
        expected = report_outline(folder / "reference" / "report.json")
        log(f"kill: uninterrupted run {length} s")
        rows = []
        for k in range(trials):
            db, out = folder / f"killed-{k}.db", folder / f"killed-{k}"
            moment = round(rng.uniform(1.0, 0.9 * length), 1)  # a re-run may be faster than the reference
            killed = analyze(db, out, moment)
            final = analyze(db, out, 3600)
            got = report_outline(out / "report.json") if (out / "report.json").is_file() else {}
            row = {
                "at_s": moment,
                "killed": killed["timed_out"],
                "final_rc": final["rc"],
                "rerun_s": final["seconds"],
                "differs": [key for key in expected if expected[key] != got.get(key)],
                **_store_checks(db),
            }
            log(f"kill {k + 1}: {json.dumps(row)}")
            rows.append(row)
            db.unlink()
        return {
            "articles": len(expected["articles"]),
            "stories": len(expected["stories"]),
            "claim_groups": len(expected["claims"]),
            "uninterrupted_s": length,
            "trials": rows,
            "reference_store": _store_checks(folder / "reference.db"),
        }


def markdown(results: dict[str, Any]) -> str:
    out = [
        "# Reliability",
        "",
        "Written by `python -m bench.reliability` (part of `make bench`); every figure below was measured by it,",
        "on the machine and at the time its section names (at the end). Issue 26's acceptance: hostile input, crashes and hostile",
        "peers, at the default budgets (`docs/settings.md`: max_input_bytes, max_decompressed_bytes,",
        "max_article_chars, max_text_input_chars, max_token_chars, embedding_batch_tokens,",
        "clean_document_timeout_s, report_max_rejected).",
        "",
    ]
    if rows := results.get("inputs"):
        out += [
            "## Pathological inputs",
            "",
            f"Each input beside the sample story's five articles, analysed by `newsprism analyze` into a fresh store."
            f" Goal: under {INPUT_SECONDS_GOAL:.0f} s and {INPUT_MB_GOAL:.0f} MB, the other five analysed. Memory is",
            "sampled every 50 ms: the peak of the proportional set size (PSS) summed over the whole process tree",
            "(the parent and its cleaning and extraction workers), and the peak resident set of the largest single",
            "process (VmHWM); the first row is the baseline every run pays (the spaCy and MiniLM models and the",
            "workers).",
            "",
            "| input | what | outcome | seconds | tree PSS peak MB | largest process peak RSS MB |"
            " other articles analysed |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for r in rows:
            if r.get("timed_out"):
                outcome = "killed at the timeout"
            elif not r["name"] or r["name"] == "none":
                outcome = "-"
            elif r.get("articles"):
                outcome = "analysed" + (f"; {r['reason']}" if r.get("reason") else "")
            else:
                outcome = (
                    f"{r.get('rejections', 0):,} rejection(s): " + r.get("reason", "").split(": ", 1)[-1]
                )
            out.append(
                f"| {r['name']} | {r['what']} | {_cell(outcome)} | {r['seconds']} | {r['peak_mb']} | "
                f"{r.get('process_peak_mb', '')} | {r.get('others_analysed', 0)} |"
            )
        cases = [r for r in rows if r["name"] != "none"]
        fast = sum(1 for r in cases if not r.get("timed_out") and r["seconds"] < INPUT_SECONDS_GOAL)
        small = sum(
            1 for r in cases if r["peak_mb"] < INPUT_MB_GOAL and r.get("process_peak_mb", 0) < INPUT_MB_GOAL
        )
        whole = sum(1 for r in cases if r.get("others_analysed") == 5)
        out += [
            "",
            f"Goals, over the {len(cases)} inputs: under {INPUT_SECONDS_GOAL:.0f} s {fast}; tree PSS and largest process"
            f" under {INPUT_MB_GOAL:.0f} MB {small}; the other five analysed {whole}.",
        ]
        out.append("")
    if previous := results.get("inputs_previous"):
        now = {r["name"]: r for r in rows or []}
        out += [
            f"The same inputs at {results.get('inputs_previous_commit', 'the previous commit')} (before this section's"
            " last change), measured in the same session on the same machine, beside the table above:",
            "",
            "| input | seconds then | seconds now | tree PSS MB then | now | largest process MB then | now |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in previous:
            n = now.get(r["name"], {})
            out.append(
                f"| {r['name']} | {r['seconds']} | {n.get('seconds', '')} | {r['peak_mb']} | {n.get('peak_mb', '')} |"
                f" {r.get('process_peak_mb', '')} | {n.get('process_peak_mb', '')} |"
            )
        out.append("")
    if before := results.get("inputs_before"):
        out += [
            f"Before the budgets ({results.get('inputs_before_commit', 'the previous commit')}), measured when they"
            f" landed (an earlier session), each killed at {before[0].get('timeout_s', 120):g} s if not done:",
            "",
            "| input | seconds | tree PSS peak MB | largest process peak RSS MB | outcome |",
            "|---|---:|---:|---:|---|",
        ]
        for r in before:
            outcome = (
                "killed at the timeout" if r.get("timed_out") else ("analysed" if r.get("articles") else "-")
            )
            out.append(
                f"| {r['name']} | {r['seconds']} | {r['peak_mb']} | {r.get('process_peak_mb', '')} | {outcome} |"
            )
        out.append("")
    if fuzz := results.get("fuzz"):
        out += [
            "## Fuzzing every reader and the cleaner",
            "",
            "Hypothesis, derandomized (tests/test_ingest_fuzz.py's strategy: random bytes, shuffled fragments of every",
            "format, JSONL records of any field values), each as every supported suffix, plain or gzipped; every",
            "document read is then cleaned.",
            "",
            "| inputs | documents read | articles | rejections | rejections without a reason | crashes | seconds |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {fuzz['inputs']:,} | {fuzz['documents']:,} | {fuzz['articles']:,} | {fuzz['rejections']:,} | "
            f"{fuzz['unnamed']} | {fuzz['crashes']} | {fuzz['seconds']} |",
            "",
        ]
        out += [f"- crash: `{c}`" for c in fuzz.get("first_crashes", [])]
    if kill := results.get("kill"):
        trials = kill["trials"]
        killed = [t for t in trials if t["killed"]]
        same = [t for t in trials if not t["differs"]]
        out += [
            "## Killed mid-run",
            "",
            f"{kill['articles']} articles (basil-dev's 150 and ecbplus-dev's first 50, one JSONL file) analysed without",
            f"interruption ({kill['uninterrupted_s']} s: {kill['stories']} stories, {kill['claim_groups']} claim"
            " groups); then, each time from a fresh store, `newsprism analyze` killed with SIGKILL (its whole",
            "process group) at a random moment within 90 % of that length, and run once more to the end. The",
            "re-run's report must equal the uninterrupted one: the same articles (input line and text), stories",
            "(their members), claim groups (evidence spans and status) and briefs. A trial whose run ended before",
            "its moment is listed as not killed.",
            "",
            f"- trials: {len(trials)}; killed before the end: {len(killed)}; re-run report equal: "
            f"{len(same)} of {len(trials)}",
            f"- integrity_check ok: {sum(t['integrity'] == 'ok' for t in trials)} of {len(trials)}; duplicate "
            f"articles: {sum(t['duplicate_bodies'] for t in trials)}; articles without a story: "
            f"{sum(t['without_story'] for t in trials)}",
            "",
            "| killed at (s) | killed | re-run exit | re-run seconds | differs |",
            "|---:|---|---:|---:|---|",
        ]
        out += [
            f"| {t['at_s']} | {'yes' if t['killed'] else 'no (done)'} | {t['final_rc']} | {t['rerun_s']} | "
            f"{', '.join(t['differs']) or '-'} |"
            for t in trials
        ]
        out.append("")
    if suites := results.get("suites"):
        out += [
            "## Hostile servers and clients",
            "",
            "The fetch cases (every address that is not public, reached by a name through an injected resolver,",
            "and one that rebinds to loopback after the check; headers or a body trickled byte by byte; robots.txt that",
            "redirects, is too large or fails; a redirect to an impossible port; gzip bombs) and the web app's",
            "(traversal, Host tricks, oversized URLs and bodies, too many query fields, trickled headers, XSS in",
            "Chromium) run from the test suite, on loopback only: a socket guard fails any connection elsewhere.",
            "",
            f"- cases: {suites['cases']}; held: {suites['passed']}; failed: {suites['failures'] + suites['errors']};"
            f" skipped: {suites['skipped']}",
            "",
        ]
    if where := results.get("measured_on"):  # one line a section: --update keeps sections of earlier runs
        out += ["Where and when each section was measured:", ""]
        out += [f"- {section}: {on}" for section, on in where.items()] + [""]
    elif machine := results.get("machine"):
        out += [f"Machine: {machine}. Measured {results.get('measured', '')}.", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:240]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability")
    parser.add_argument("--only", default="", help="comma-separated pathological inputs")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--sections", default="inputs,fuzz,kill,suites")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--update", action="store_true", help="keep the sections not run from the last run")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--fuzz-examples", type=int, default=10_000)
    parser.add_argument(
        "--previous",
        type=Path,
        help="a reliability.json written by an earlier commit's code (run from its worktree), whose inputs are"
        " shown beside this run's",
    )
    parser.add_argument("--previous-commit", default="", help="the commit --previous measured")
    args = parser.parse_args(argv)
    only = [n for n in args.only.split(",") if n]
    sections = [n for n in args.sections.split(",") if n]
    state_path = args.out.with_suffix(".json")
    results: dict[str, Any] = {}
    if args.update and state_path.is_file():
        results = json.loads(state_path.read_text(encoding="utf-8"))
    if "inputs" in sections:
        results["inputs"] = run_inputs(args.timeout, only)
    if args.previous:
        results["inputs_previous"] = json.loads(args.previous.read_text(encoding="utf-8"))["inputs"]
        results["inputs_previous_commit"] = args.previous_commit or str(args.previous)
    if "fuzz" in sections:
        results["fuzz"] = run_fuzz(args.fuzz_examples)
    if "kill" in sections:
        results["kill"] = run_kills(args.kills)
    if "suites" in sections:
        results["suites"] = run_suites()
    from .run import machine

    results["machine"] = machine()
    results["measured"] = time.strftime("%Y-%m-%d %H:%M %Z")
    on = results.setdefault("measured_on", {})
    for section in sections:
        on[section] = f"{results['machine']}, {results['measured']}"
    args.out.write_text(markdown(results), encoding="utf-8")
    state_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Thin command-line layer: each command parses options and calls one library function."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__, settings
from .errors import EvalDataError, NewsprismError

EXIT_PARTIAL = 1  # some inputs were rejected, the rest analysed
EXIT_FAILED = 2  # nothing could be done (bad store, bad option)


def _parse_settings(pairs: tuple[str, ...]) -> dict:
    values = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--setting")
        name, raw = pair.split("=", 1)
        values[name.strip()] = settings.coerce(name.strip(), raw.strip())
    return values


def _fail(exc: NewsprismError) -> None:
    click.echo(f"newsprism: error: {exc}", err=True)
    sys.exit(EXIT_FAILED)


def _open_store(db: str):
    from .store import open_store

    try:
        return open_store(db)
    except NewsprismError as exc:
        _fail(exc)


def _engine(name: str, address: str | None, workers: int | None):
    if name == "local":
        if address or workers:
            raise click.UsageError("--ray-address and --workers go with --engine ray")
        return None
    from .engines.ray_engine import RayEngine

    return RayEngine(address, workers)


def _db_option(purpose: str):
    return click.option(
        "--db",
        default="newsprism.db",
        show_default=True,
        help=f"Store to {purpose}: a SQLite file, or a postgresql://user@host/dbname URL.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsprism")
@click.option("-v", "--verbose", is_flag=True, help="Log each stage's decisions.")
def main(verbose: bool) -> None:
    """newsprism: what every source agrees on, what only one claims, who said what, and how each outlet framed it."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option("read and extend")
@click.option(
    "--out", default="newsprism-report", show_default=True, help="Folder for report.json and the HTML report."
)
@click.option(
    "--setting", "setting_pairs", multiple=True, metavar="NAME=VALUE", help="Override a setting for this run."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--llm-endpoint",
    metavar="URL",
    help="OpenAI-compatible API base URL (e.g. http://127.0.0.1:8080/v1): an abstractive brief written by that "
    "model and verified against the sources (docs/abstractive.md). Default: the offline extractive brief.",
)
@click.option("--llm-model", metavar="NAME", help="Model name sent to --llm-endpoint.")
@click.option(
    "--llm-api-key-env",
    metavar="VAR",
    help="Environment variable holding the endpoint's API key (never the key).",
)
@click.option(
    "--llm-gguf",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Local GGUF model run by llama-cpp-python (pip install llama-cpp-python) for the abstractive brief.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where cleaning, parsing and story analyses run: this machine's processes, or Ray"
    " (pip install 'newsprism[ray]'; docs/scale.md). The answers are the same.",
)
@click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="A running Ray cluster ('auto', ray://host:10001); default: local.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Ray actors of each kind (default: the cluster's CPUs)."
)
def analyze(
    paths: tuple[Path, ...],
    db: str,
    out: str,
    setting_pairs: tuple[str, ...],
    quiet: bool,
    llm_endpoint: str | None,
    llm_model: str | None,
    llm_api_key_env: str | None,
    llm_gguf: Path | None,
    engine: str,
    ray_address: str | None,
    workers: int | None,
) -> None:
    """Analyse files and folders of articles (.txt, .html, .htm, .jsonl) end to end.

    \b
    Examples:
      newsprism analyze examples/seed-story --db news.db --out report/
      newsprism analyze shards/ --db postgresql://news@db/newsprism --engine ray --ray-address auto

    Running it again on the same input stores nothing twice; new files extend the existing stories.
    Exit code 0: all inputs analysed; 1: some inputs rejected (each named on stderr); 2: failure.
    """
    from .brief.abstractive import make_generator
    from .pipeline import analyze as run_analysis
    from .store import shown

    try:
        with settings.override(_parse_settings(setting_pairs)) as run_settings:
            generator = make_generator(llm_endpoint, llm_model, llm_api_key_env, llm_gguf)
            result = run_analysis(
                paths,
                db=db,
                out=out,
                progress=not quiet and sys.stderr.isatty(),
                generator=generator,
                settings=run_settings,
                engine=_engine(engine, ray_address, workers),
                keep_articles=False,  # only counted here: a long run's memory stays flat
            )
    except NewsprismError as exc:
        _fail(exc)
    ingest = result.ingest
    for rejection in ingest.rejections:
        click.echo(f"rejected {rejection.input}: {rejection.reason}", err=True)
    if (unshown := ingest.rejected_count - len(ingest.rejections)) > 0:
        click.echo(
            f"... and {unshown:,} more rejected; `newsprism rejects --db {shown(db)}` lists them all",
            err=True,
        )
    for failure in result.failed:
        click.echo(f"{failure.input}: {failure.reason}; the next run tries it again", err=True)
    click.echo(
        f"{ingest.article_count} articles read ({len(ingest.new_ids)} new), {ingest.rejected_count} rejected; "
        f"{len(result.story_ids)} stories updated; store: {shown(db)}"
    )
    if result.run is not None:
        changed = (
            ", ".join(f"{n} {_CHANGE_WORDS[kind][n != 1]}" for kind, n in result.changed) or "nothing changed"
        )
        click.echo(f"run {result.run}: {changed} (newsprism changes --db {shown(db)} lists them with why)")
    if result.report_dir:
        click.echo(f"report: {(result.report_dir / 'index.html').resolve()}")
        click.echo(f"json:   {(result.report_dir / 'report.json').resolve()}")
    sys.exit(EXIT_PARTIAL if result.partial_failure else 0)


@main.command()
@_db_option("report on")
@click.option(
    "--out", default="newsprism-report", show_default=True, help="Folder for report.json and the HTML report."
)
def report(db: str, out: str) -> None:
    """Rewrite report.json and the HTML report from the store, without analysing anything.

    \b
    Example:
      newsprism report --db news.db --out report/
    """
    from .report import write_report

    store = _open_store(db)
    write_report(store, Path(out))
    click.echo(f"report: {(Path(out) / 'index.html').resolve()}")


@main.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--urls",
    "url_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File of URLs, one a line.",
)
@click.option(
    "--out", default="fetched.jsonl", show_default=True, help="JSONL file the pages are written to."
)
@click.option(
    "--follow-links", is_flag=True, help="For a feed, fetch each entry's page instead of its summary."
)
@click.option(
    "--allow-private", is_flag=True, help="Allow loopback/private/link-local hosts (your own network)."
)
@click.option("--ignore-robots", is_flag=True, help="Do not read robots.txt (only for sites you run).")
def fetch(
    urls: tuple[str, ...],
    url_file: Path | None,
    out: str,
    follow_links: bool,
    allow_private: bool,
    ignore_robots: bool,
) -> None:
    """Fetch article pages or RSS/Atom feeds politely into a JSONL file that `analyze` reads.

    \b
    Examples:
      newsprism fetch https://example.org/news/story.html --out fetched.jsonl
      newsprism fetch --urls urls.txt --follow-links && newsprism analyze fetched.jsonl

    Per-host rate limit, robots.txt, timeouts, a size cap and retries come from the fetch_* settings.
    Exit code 0: all fetched; 1: some refused or failed (each named on stderr); 2: nothing to fetch.
    """
    from .ingest.fetch import FetchPolicy, fetch_documents, save_jsonl

    todo = list(urls) + (url_file.read_text(encoding="utf-8").splitlines() if url_file else [])
    if not any(u.strip() for u in todo):
        click.echo("newsprism: error: no URLs given; pass URLs or --urls FILE", err=True)
        sys.exit(EXIT_FAILED)
    policy = FetchPolicy(allow_private=allow_private, respect_robots=not ignore_robots)
    written, rejected = save_jsonl(fetch_documents(todo, policy, follow_links=follow_links), out)
    for rejection in rejected:
        click.echo(f"rejected {rejection.input}: {rejection.reason}", err=True)
    click.echo(f"{written} documents written to {out}, {len(rejected)} refused or failed")
    sys.exit(EXIT_PARTIAL if rejected else 0)


@main.command()
@_db_option("list")
def stories(db: str) -> None:
    """List the stories in the store, newest first.

    \b
    Example:
      newsprism stories --db news.db
    """
    store = _open_store(db)
    for story_id in store.story_ids():
        state = store.story_state(story_id)
        click.echo(f"{story_id}\t{state.size} articles\t{state.last_date or '-'}\t{state.title}")


@main.command()
@click.argument("story_ids", nargs=-1, metavar="[STORY]...")
@_db_option("export from")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["markdown", "claims-csv", "quotes-csv", "json"]),
    default="markdown",
    show_default=True,
    help="markdown: the brief with footnoted citations naming outlets; claims-csv / quotes-csv: one row per "
    "claim group / quote; json: report.json of the schema for these stories.",
)
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
def export(story_ids: tuple[str, ...], db: str, format_name: str, out: Path | None) -> None:
    """Export stories (all of them when none is named) to paste into a draft or load into a spreadsheet.

    \b
    Examples:
      newsprism export s9ff4f13df94c --db news.db > story.md
      newsprism export --format claims-csv --db news.db -o claims.csv
    """
    from .report.export import export_stories

    store = _open_store(db)
    try:
        text = export_stories(store, story_ids or None, format_name)
    except NewsprismError as exc:
        _fail(exc)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{format_name}: {out.resolve()}", err=True)


_CHANGE_WORDS = {  # (one, several)
    "story_new": ("new story", "new stories"),
    "article_joined": ("article joined an earlier story", "articles joined earlier stories"),
    "story_merged": ("earlier story merged", "earlier stories merged"),
    "claim_status": ("claim status moved", "claim statuses moved"),
}


def _since(value: str | None) -> tuple[int | None, str | None]:
    from .report.views import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


@main.command()
@_db_option("read")
@click.option(
    "--since", metavar="RUN|DATE", help="Changes after run RUN, or since DATE (default: the last run's)."
)
@click.option(
    "--story", "story_id", metavar="STORY", help="Only this story's changes (and of stories merged into it)."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="At most this many."
)
def changes(db: str, since: str | None, story_id: str | None, limit: int) -> None:
    """List what runs changed: new stories, articles that joined earlier stories, merges and claim statuses
    that moved, each with why, oldest first.

    \b
    Examples:
      newsprism changes --db news.db
      newsprism changes --since 2026-12-01 --story s9ff4f13df94c
    """
    from .report.views import change_list

    store = _open_store(db)
    since_run, since_date = _since(since)
    if since is None:  # the last run's
        last = store.runs(limit=1)
        since_run = last[0].id - 1 if last else None
    try:
        listing = change_list(store, since_run, since_date, story_id, limit)
    except NewsprismError as exc:
        _fail(exc)
    if not listing["runs"]:
        click.echo("no changes recorded" + (f" since {since}" if since else ""))
    for run in reversed(listing["runs"]):
        click.echo(f"run {run['id']} · {run['when']} · {run['summary']}")
        for c in run["changes"]:
            click.echo(f"  {c['kind']:<15} {c['story_id']}  {c['text']}")
            if c["why"]:
                click.echo(f"  {'':<15} {'':<{len(c['story_id'])}}  why: {c['why']}")
    if listing["more"]:
        click.echo(f"... only the newest {limit}; pass --limit or --since to see others", err=True)


def _author() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return ""


_note_option = click.option("--note", default="", help="Why (kept with the correction).")


@main.group()
def correct() -> None:
    """Correct what newsprism got wrong; the correction is kept, applied by every later analysis, and undone
    with `newsprism corrections --undo N`.

    \b
    Examples:
      newsprism correct speaker s9ff4f13df94c            (lists the story's quotes, numbered)
      newsprism correct speaker s9ff4f13df94c 2 --name "Dmitry Peskov"
      newsprism correct speaker s9ff4f13df94c 3 --remove
      newsprism correct contradiction s9ff4f13df94c 1
      newsprism correct claim s9ff4f13df94c 4
      newsprism correct date 9ff4f13df94cf2d6 2024-05-16
      newsprism correct merge s9ff4f13df94c s3798ed581f59
      newsprism correct move 3798ed581f593bc9 s9ff4f13df94c
      newsprism correct split s9ff4f13df94c 3798ed581f593bc9 a41c0e2b9d7f6e15
    """


def _apply(db: str, make: Any) -> None:
    from . import corrections

    store = _open_store(db)
    try:
        correction = make(store)
        stored, stories = corrections.apply(store, correction)
    except NewsprismError as exc:
        _fail(exc)
    finally:
        store.close()
    click.echo(f"correction {stored.id} recorded; stories analysed again: {', '.join(stories) or 'none'}")
    click.echo(
        "`newsprism report` rewrites the static report; `newsprism corrections --undo N` undoes it", err=True
    )


def _list_numbered(db: str, rows_of: Any, line_of: Any) -> None:
    """What a `correct` subcommand numbers (its NUMBER argument), one line each: number, then `line_of(row)`."""
    store = _open_store(db)
    try:
        for n, row in enumerate(rows_of(store), 1):
            click.echo(f"{n}\t{line_of(row)}")
    except NewsprismError as exc:
        _fail(exc)
    finally:
        store.close()


def _excerpt(text: str) -> str:
    return " ".join(text.split())[:100]


@correct.command("speaker")
@click.argument("story_id", metavar="STORY")
@click.argument("number", type=click.IntRange(min=1), required=False)
@click.option("--name", help="Who said it.")
@click.option("--remove", is_flag=True, help="Nobody named in the text said it: show the quote unattributed.")
@_note_option
@_db_option("correct")
def correct_speaker(
    story_id: str, number: int | None, name: str | None, remove: bool, note: str, db: str
) -> None:
    """Name or remove the speaker of quote NUMBER of a story (without NUMBER: list its quotes)."""
    from . import corrections

    if number is None:
        _list_numbered(
            db,
            lambda store: corrections.story_quotes(store, story_id),
            lambda q: f"{q.speaker or '(unattributed)'}\t{_excerpt(q.text)}",
        )
        return
    if bool(name) == remove:
        raise click.UsageError("give --name NAME or --remove")
    _apply(db, lambda store: corrections.speaker_fix(store, story_id, number, name, note, _author()))


@correct.command("contradiction")
@click.argument("story_id", metavar="STORY")
@click.argument("number", type=click.IntRange(min=1), required=False)
@_note_option
@_db_option("correct")
def correct_contradiction(story_id: str, number: int | None, note: str, db: str) -> None:
    """Mark contradiction NUMBER of a story as none (without NUMBER: list its contradictions)."""
    from . import corrections

    if number is None:
        _list_numbered(
            db,
            lambda store: corrections.story_contradictions(store, story_id),
            lambda x: f"{x.kind}\t{x.explanation}",
        )
        return
    _apply(db, lambda store: corrections.contradiction_fix(store, story_id, number, note, _author()))


@correct.command("claim")
@click.argument("story_id", metavar="STORY")
@click.argument("number", type=click.IntRange(min=1), required=False)
@_note_option
@_db_option("correct")
def correct_claim(story_id: str, number: int | None, note: str, db: str) -> None:
    """Mark claim NUMBER of a story as not one claim: its sentences state different things, and are never
    grouped together again (without NUMBER: list the story's claims of more than one sentence)."""
    from . import corrections

    if number is None:
        _list_numbered(
            db,
            lambda store: corrections.story_claims(store, story_id),
            lambda c: f"{c.status}\t{len(c.evidence)} sentences\t{_excerpt(c.text)}",
        )
        return
    _apply(db, lambda store: corrections.claim_fix(store, story_id, number, note, _author()))


@correct.command("merge")
@click.argument("story_a", metavar="STORY")
@click.argument("story_b", metavar="OTHER_STORY")
@_note_option
@_db_option("correct")
def correct_merge(story_a: str, story_b: str, note: str, db: str) -> None:
    """Merge two stories that report one event (undo splits the merged-in articles back out)."""
    from . import corrections

    _apply(db, lambda store: corrections.merge_fix(store, story_a, story_b, note, _author()))


@correct.command("move")
@click.argument("article_id", metavar="ARTICLE")
@click.argument("story_id", metavar="STORY")
@_note_option
@_db_option("correct")
def correct_move(article_id: str, story_id: str, note: str, db: str) -> None:
    """Move an article to the story it belongs to (undo moves it back)."""
    from . import corrections

    _apply(db, lambda store: corrections.move_fix(store, article_id, story_id, note, _author()))


@correct.command("split")
@click.argument("story_id", metavar="STORY")
@click.argument("article_ids", metavar="ARTICLE...", nargs=-1, required=True)
@_note_option
@_db_option("correct")
def correct_split(story_id: str, article_ids: tuple[str, ...], note: str, db: str) -> None:
    """Split articles that report another event off a story, as one new story (kept apart from it; undo
    merges them back)."""
    from . import corrections

    _apply(db, lambda store: corrections.split_fix(store, story_id, article_ids, note, _author()))


@correct.command("date")
@click.argument("article_id", metavar="ARTICLE")
@click.argument("value", metavar="DATE")
@_note_option
@_db_option("correct")
def correct_date(article_id: str, value: str, note: str, db: str) -> None:
    """Give an article its right publication date (ISO: 2024-05-16, or a date and time)."""
    from . import corrections

    _apply(db, lambda store: corrections.date_fix(store, article_id, value, note, _author()))


@main.command("forget")
@click.argument("what", metavar="ARTICLE|URL")
@_db_option("forget in")
def forget_command(what: str, db: str) -> None:
    """Forget an article (by id or alias), or every version read from a URL, and everything derived from it:
    its text, search entry, vectors, extraction, membership, corrections and run-log entries, and what it
    added to shared counts (its site's boilerplate lines, term frequencies); its story is analysed again,
    or deleted when it is left with no article. `newsprism report` then rewrites the static report.

    \b
    Example:
      newsprism forget 9ff4f13df94cf2d6 --db news.db
    """
    from .forget import forget

    store = _open_store(db)
    try:
        done = forget(store, what)
    except NewsprismError as exc:
        _fail(exc)
    finally:
        store.close()
    click.echo(
        f"forgot {len(done.articles)} article{'s' * (len(done.articles) != 1)} ({', '.join(done.articles)});"
        f" stories analysed again: {', '.join(done.stories_analysed) or 'none'};"
        f" stories deleted: {', '.join(done.stories_deleted) or 'none'}"
    )


@main.command("corrections")
@_db_option("read")
@click.option("--undo", "undo_number", type=click.IntRange(min=1), metavar="N", help="Undo correction N.")
def list_corrections(db: str, undo_number: int | None) -> None:
    """List the corrections made in the store (undone ones marked), or undo one.

    \b
    Examples:
      newsprism corrections --db news.db
      newsprism corrections --undo 2
    """
    from . import corrections

    store = _open_store(db)
    try:
        if undo_number is not None:
            undone, stories = corrections.undo(store, undo_number)
            click.echo(
                f"correction {undone.id} undone; stories analysed again: {', '.join(stories) or 'none'}"
            )
            return
        for c in store.corrections():
            state = f"undone {c.undone_at}" if c.undone_at else "in force"
            value = c.value if c.value is not None else "(none)"
            click.echo(f"{c.id}\t{c.at}\t{c.author or '-'}\t{c.kind}\t{c.target}\t{value}\t{state}\t{c.note}")
    except NewsprismError as exc:
        _fail(exc)
    finally:
        store.close()


@main.command()
@_db_option("list")
def rejects(db: str) -> None:
    """List rejected inputs with their reasons.

    \b
    Example:
      newsprism rejects --db news.db
    """
    store = _open_store(db)
    for rejection in store.rejections():
        click.echo(f"{rejection.input}\t{rejection.reason}")


@main.command()
@_db_option("browse")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default)."
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0 picks a free one).",
)
def serve(db: str, host: str, port: int) -> None:
    """Browse the store in a local web app; every page also has a .json twin.

    \b
    Example:
      newsprism serve --db news.db --port 8000
    """
    from .store import shown
    from .web import serve as run_server

    try:
        run_server(
            db,
            host=host,
            port=port,
            ready=lambda url, unlock: click.echo(
                f"serving {shown(db)} at {url}/ (Ctrl-C stops)\n"
                f"to make corrections in a browser, open {unlock} in it once"
            ),
        )
    except NewsprismError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(
            NewsprismError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
        )


@main.command("settings")
@click.option(
    "--markdown", is_flag=True, help="Print the table as Markdown (docs/settings.md is made this way)."
)
def show_settings(markdown: bool) -> None:
    """Print every setting with its default and what it does.

    \b
    Examples:
      newsprism settings
      newsprism settings --markdown > docs/settings.md
    """
    if markdown:
        click.echo(settings.markdown_table(), nl=False)
        return
    for s in settings.SETTINGS:
        click.echo(f"{s.name} = {s.default!r}\n    {s.help}")


@main.command("eval")
@click.argument(
    "task", type=click.Choice(["extraction", "clustering", "quotes", "summaries", "claims", "audit"])
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@click.option(
    "--cv",
    type=int,
    default=None,
    help="claims: k-fold cross-validation with folds split by topic. clustering: the held-out protocol,"
    " events split into k folds, every calibrated setting fitted on the other folds.",
)
@click.option("--limit", type=int, default=None, help="Score only the first N items (quick checks).")
@click.option(
    "--labels",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="audit: the label folder (gold/, outputs/, events.json; see audit/README.md).",
)
@click.option(
    "--db",
    default=None,
    metavar="URL",
    help="Keep the evaluation's working stores in new schemas of this postgresql:// database (dropped"
    " after) instead of memory.",
)
@click.option("--no-probes", is_flag=True, help="audit: skip the seeded probes.")
@click.option("--no-per-event", is_flag=True, help="audit: skip the per-event runs beside the joint run.")
@click.option(
    "--export-outputs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="audit: write the outputs to label blind, per event, into this folder (keep it outside the repo).",
)
def evaluate(db: str | None, **options: Any) -> None:
    """Score a pipeline stage on a labelled file in the formats of shared/eval/README.md.

    Clustering takes several files and scores them as one stream, as unrelated stories arrive together.

    \b
    Examples:
      newsprism eval extraction ../shared/eval/extraction/fundus.jsonl
      newsprism eval clustering ../shared/eval/clustering/ecbplus-dev.jsonl --json
      newsprism eval clustering ecbplus-dev.jsonl basil-dev.jsonl --cv 2
      newsprism eval claims ../shared/eval/claims/claimdiff-train.jsonl --cv 5
      newsprism eval audit ../shared/eval/clustering/basil-dev.jsonl --labels audit/labels
      newsprism eval clustering ecbplus-dev.jsonl --db postgresql://news@db/newsprism
    """
    from .store import scratch_stores_in

    try:
        with scratch_stores_in(db):
            _evaluate(**options)
    except NewsprismError as exc:
        _fail(exc)


def _evaluate(
    task: str,
    files: tuple[Path, ...],
    as_json: bool,
    cv: int | None,
    limit: int | None,
    labels: Path | None,
    no_probes: bool,
    no_per_event: bool,
    export_outputs: Path | None,
) -> None:
    from .eval import format_table, run_eval

    if len(files) > 1 and task != "clustering":
        _fail(EvalDataError(f"eval {task} takes one file; only clustering scores several as one stream"))
    file = files[0]
    if task == "audit":
        from .eval.audit import evaluate_audit, format_audit

        if labels is None:
            _fail(EvalDataError("eval audit needs --labels DIR (see audit/README.md)"))
        try:
            result = evaluate_audit(
                file,
                labels,
                per_event=not no_per_event,
                probes=not no_probes,
                export=export_outputs,
                progress=not as_json and sys.stderr.isatty(),
            )
        except NewsprismError as exc:
            _fail(exc)
        click.echo(json.dumps(result, sort_keys=True, default=str) if as_json else format_audit(result))
        return
    try:
        result = run_eval(task, files, cv=cv, limit=limit, progress=not as_json and sys.stderr.isatty())
    except NewsprismError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
    else:
        click.echo(format_table(result))


if __name__ == "__main__":
    main()

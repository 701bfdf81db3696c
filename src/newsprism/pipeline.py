"""Runs the stages in order over a batch and owns the error policy.

raw input -> clean -> sentences + embeddings -> extraction -> incremental stories
-> per story: duplicates, canonical entities and quotes, claims, brief, framing, timeline -> store.

Bad inputs become `Rejection`s (stored, reported) and never stop the batch. Each batch of articles is
written in one transaction, so an interrupted run leaves the store as it was before that batch.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from . import runlog, settings
from .errors import NewsprismError
from .records import (
    CHANGE_KINDS,
    EDITOR,
    Article,
    ArticleExtraction,
    Change,
    Corrections,
    EntityMention,
    RawDocument,
    Rejection,
    Sentence,
    StoryAnalysis,
    StoryAssignment,
    StoryChanges,
    StoryMaterial,
    corrections_in_force,
)
from .store import Store, open_store
from .text import split_sentences
from .text.ids import content_id, text_key
from .text.languages import is_analysed

if TYPE_CHECKING:
    from .brief.abstractive import Generator
    from .clean.site import SiteMemory
    from .engines import Engine, StoryJob
    from .ingest import InputProgress

log = logging.getLogger("newsprism")
_REJECTIONS_PER_WRITE = 5000  # rejections waiting for a batch are written on their own past this many
T = TypeVar("T")

SENTENCE_VECTORS = "sentences"
_CLUSTER_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}


class _Known(NamedTuple):
    """An input the store already holds: its source and the stored article."""

    source: str
    article: Article


# Articles the story stage reads from the store at a time: its memory does not grow with a run's length.
_CHUNK = 1000
# Rejections an IngestResult holds (every one is stored): a file of a million broken lines costs no memory.
MAX_KEPT_REJECTIONS = 1000


@dataclass(frozen=True)
class IngestResult:
    """What happened to each input, in input order: its source and the Article or Rejection it became
    (the first `MAX_KEPT_REJECTIONS` rejections only; `rejected_count` counts them all; no articles when the
    pipeline keeps none, `Pipeline(keep_articles=False)`; `article_count` counts them all)."""

    items: tuple[tuple[str, Article | Rejection], ...] = ()
    new_ids: tuple[str, ...] = ()
    rejected_count: int = 0
    article_count: int = 0  # inputs read as articles (new, known, or aliases of a stored article)

    @property
    def articles(self) -> list[Article]:
        return [x for _, x in self.items if isinstance(x, Article)]

    @property
    def rejections(self) -> list[Rejection]:
        return [x for _, x in self.items if isinstance(x, Rejection)]


@dataclass(frozen=True)
class RunResult:
    ingest: IngestResult
    assignments: tuple[StoryAssignment, ...] = ()
    story_ids: tuple[str, ...] = ()  # stories created or changed by this run, analysed
    report_dir: Path | None = None
    report_files: tuple[Path, ...] = field(default=())
    failed: tuple[Rejection, ...] = ()  # stories whose analysis failed or is incomplete ("story ID", why)
    run: int | None = None  # its number in the store's run log
    changed: tuple[tuple[str, int], ...] = ()  # entries it added to the run log, by kind (records.Change)

    @property
    def partial_failure(self) -> bool:
        return bool(self.ingest.rejected_count or self.failed)


def _under_settings(method: Callable[..., T]) -> Callable[..., T]:
    """Run a pipeline step under the pipeline's own settings, where it was given some."""

    @functools.wraps(method)
    def step(self: Pipeline, *args: Any, **kwargs: Any) -> T:
        if self.settings is None:
            return method(self, *args, **kwargs)
        with settings.use(self.settings):
            return method(self, *args, **kwargs)

    return step


class Pipeline:
    """The whole analysis over one store. Library users call `run`; the eval command calls the steps.

    `settings`: the run's `settings.Settings` (for example `settings.DEFAULTS.replace({...})`), under which
    every step and every worker it starts runs; without it, the settings in force when a step is called.
    `engine`: where cleaning, parsing and story analyses run (`engines.LocalEngine` by default, or
    `engines.ray_engine.RayEngine`); the answers are the same. `keep_articles=False`: the result of `ingest`
    and `run` counts the articles read instead of holding them (memory stays flat over a long run)."""

    def __init__(
        self,
        store: Store,
        progress: bool = False,
        batch_size: int = 64,
        generator: Generator | None = None,
        settings: settings.Settings | None = None,
        engine: Engine | None = None,
        keep_articles: bool = True,
    ):
        from .engines import LocalEngine

        self.store = store
        self.progress = progress
        self.batch_size = batch_size
        self.generator = generator  # a language model for the optional abstractive brief
        self.settings = settings
        self.engine = engine if engine is not None else LocalEngine()
        # whether IngestResult holds every article read, text and all; a long run keeps only their count
        self.keep_articles = keep_articles
        self._clusterer = None
        self._run: int | None = None  # the run log's number for the run in progress (`run`)
        self._changed: Counter[str] = Counter()  # its entries so far, by kind
        self._merges: list[tuple[str, str, str]] = []  # (absorbed, survivor, note) written in this run

    # ------------------------------------------------------------ step 1-4: per article

    @_under_settings
    def ingest(self, docs: Iterable[RawDocument | Rejection]) -> IngestResult:
        """Clean, store, embed and extract every document; bad ones become rejections.

        A document whose id (its raw content's hash, `text.ids.content_id`) the store already knows is not
        cleaned again: it is the stored article. One whose clean body is already stored under another id is
        recorded as an alias of that article. The engine cleans pages (locally a process pool,
        `clean.clean_documents`) running ahead of the embedding and parsing, so the cores share the two halves
        of the work."""
        from .clean.site import SiteMemory
        from .ingest.readers import jsonl_file_of

        items: list[tuple[str, Article | Rejection]] = []
        new_ids: list[str] = []
        batch: list[Article] = []
        aliases: list[tuple[str, str, str]] = []  # (alias, article id, source)
        ids_in_run: set[str] = set()
        body_in_run: dict[str, str] = {}  # text key of the clean body -> id, for this run's articles
        site_memory = SiteMemory(self.store)
        rejections: list[Rejection] = []  # written with the batch, or on their own when many
        read: list[str] = []  # sources read, whose earlier rejections are forgotten with the batch
        files_seen: set[str] = set()  # JSONL files this run has started reading
        files_started: list[str] = []  # ... since the last write: their earlier line rejections go with it
        rejected = 0

        read_count = 0

        def keep(source: str, article: Article) -> None:
            if self.keep_articles:
                items.append((source, article))

        def flush() -> None:
            self._store_batch(batch, site_memory, aliases, rejections, read, files_started)
            new_ids.extend(a.id for a in batch)
            batch.clear()
            aliases.clear()
            rejections.clear()
            read.clear()
            files_started.clear()

        for outcome in self._progress(self.engine.clean(self._known(docs), site_memory), "cleaning", "doc"):
            source = outcome.input if isinstance(outcome, Rejection) else outcome.source
            if (file := jsonl_file_of(source)) is not None and file not in files_seen:
                files_seen.add(file)
                files_started.append(file)
            if isinstance(outcome, Rejection):
                log.warning("rejected %s: %s", outcome.input, outcome.reason)
                rejections.append(outcome)
                rejected += 1
                if rejected <= MAX_KEPT_REJECTIONS:
                    items.append((outcome.input, outcome))
                if len(rejections) >= _REJECTIONS_PER_WRITE:
                    flush()
                continue
            read_count += 1
            if isinstance(outcome, _Known):
                keep(outcome.source, outcome.article)
                read.append(outcome.source)
                continue
            article = outcome
            read.append(article.source)
            if article.id in ids_in_run or self.store.has_article(article.id):
                keep(article.source, article)  # the same input again: stored once
                continue
            body = text_key(article.text)
            same_body = body_in_run.get(body) or self.store.article_with_text(article.text)
            if same_body is not None:  # another input with this body: one article, and an alias
                aliases.append((article.id, same_body, article.source))
                keep(article.source, replace(article, id=same_body))
                continue
            keep(article.source, article)
            ids_in_run.add(article.id)
            body_in_run[body] = article.id
            batch.append(article)
            if len(batch) >= self.batch_size:
                flush()
        flush()
        return IngestResult(tuple(items), tuple(new_ids), rejected, read_count)

    def _known(self, docs: Iterable[RawDocument | Rejection]) -> Iterator[RawDocument | Rejection | _Known]:
        """Documents the store already holds (by id or alias) as their stored articles, the rest as given."""
        for doc in docs:
            if isinstance(doc, RawDocument):
                stored = self.store.resolve_article(content_id(doc))
                found = self.store.articles([stored]) if stored is not None else []
                if found:
                    yield _Known(doc.source, found[0])
                    continue
            yield doc

    def _store_batch(
        self,
        articles: list[Article],
        site_memory: SiteMemory,
        aliases: Sequence[tuple[str, str, str]] = (),
        rejections: Sequence[Rejection] = (),
        read: Sequence[str] = (),
        files_started: Sequence[str] = (),
    ) -> None:
        """Embed and extract a batch, then write it, the aliases it found, what cleaning it taught about its
        sites, the inputs it rejected and the inputs read (no longer rejected), in one transaction. The line
        rejections of JSONL files this run started reading are forgotten first: the file's lines are read
        again, and give their rejections again."""
        from .clean.site import SITE_LINES_STAGE, counts_by_site

        learned = site_memory.drain()
        if not (articles or learned or aliases or rejections or read or files_started):
            return
        sentences = {a.id: split_sentences(a.id, a.text) for a in articles}
        vectors, extractions = self.engine.embed_and_extract(articles, sentences)
        with self.store.transaction():
            self.store.clear_line_rejections(files_started)
            self.store.clear_rejections(read)
            self.store.add_rejections(rejections)
            # an article's lines count once, whichever of two runs storing it at once commits first
            counted = set(self.store.claim_done(SITE_LINES_STAGE, [t.article_id for t in learned]))
            for site, counts in counts_by_site(t for t in learned if t.article_id in counted):
                self.store.add_site_line_counts(site, counts)
            for alias, article_id, source in aliases:
                self.store.add_alias(alias, article_id, source)
            for article, article_vectors, extraction in zip(articles, vectors, extractions, strict=True):
                self.store.add_article(article)
                if article_vectors is not None:  # None: a language the models do not read
                    self.store.put_vectors(article.id, SENTENCE_VECTORS, article_vectors)
                if extraction is not None:
                    self.store.put_extraction(extraction)
            self.store.mark_done("extract", [a.id for a in articles])

    # ------------------------------------------------------------ step 5: stories

    @property
    def clusterer(self):
        if self._clusterer is None:
            from .store.changes import write_story_changes
            from .stories import StoryClusterer

            # the clusterer reads earlier stories through the store and hands its changes back to be written
            def write(changes: StoryChanges) -> None:
                write_story_changes(self.store, changes)
                if self._run is not None:  # the run log says which stories merged, and why
                    self._merges += changes.moves

            self._clusterer = StoryClusterer(self.store, write=write)
        return self._clusterer

    def title_vectors(self, articles: Sequence[Article]) -> dict[str, np.ndarray]:
        """The title vectors the clusterer needs (stories.title_vectors), those embedded anew kept in the store."""
        from .stories import TITLE_VECTORS, needs_title_vector, title_vectors

        articles = [a for a in articles if is_analysed(a.language)]  # the others are not compared
        cached = {
            a.id: vector
            for a in articles
            if needs_title_vector(a) and (vector := self.store.get_vectors(a.id, TITLE_VECTORS)) is not None
        }
        vectors, new = title_vectors(articles, cached)
        with self.store.transaction():
            for article_id, vector in new.items():
                self.store.put_vectors(article_id, TITLE_VECTORS, vector[None, :])
        return vectors

    @_under_settings
    def cluster(self, article_ids: Sequence[str]) -> list[StoryAssignment]:
        """Assign articles to stories in the order given (callers sort by publication time)."""
        assignments = []
        chunks = self._articles_in_chunks(list(article_ids))
        for article, title in self._progress(chunks, "clustering", "article", len(article_ids)):
            if not is_analysed(article.language):
                assignments.append(self.clusterer.add_apart(article, _kept_apart(article)))
                continue
            vectors = self._sentence_vectors(article)
            extraction = self.store.get_extraction(article.id)
            # No transaction per article: the clusterer keeps its changes in memory and writes them in one
            # transaction per checkpoint (every few hundred articles and at flush).
            assignments.append(
                self.clusterer.add(
                    article,
                    vectors,
                    entity_counts(extraction),
                    title_vector=title,
                    lead_people=lead_people(extraction),
                )
            )
        with self.store.transaction():
            # Batch end: merge fragments the arrival order left apart. Every story merged away, at a join
            # or here, leaves a stale analysis behind.
            merged = [m for a in assignments for m in a.merged_from]
            merged += [absorbed for absorbed, _survivor in self.clusterer.consolidate()]
            for story_id in merged:
                self.store.drop_analysis(story_id)
            self.clusterer.flush()
        # An article moved to another story at batch end is reported (and its story analysed) there.
        return [self.clusterer.moved.get(a.article_id, a) for a in assignments]

    def _articles_in_chunks(self, article_ids: list[str]) -> Iterator[tuple[Article, np.ndarray | None]]:
        """Each article (in the order given) with its title vector, read from the store `_CHUNK` at a
        time, so that a run's memory does not grow with its articles."""
        for lo in range(0, len(article_ids), _CHUNK):
            articles = self.store.articles(article_ids[lo : lo + _CHUNK])
            titles = self.title_vectors(articles)
            for article in articles:
                yield article, titles.get(article.id)

    def _sentence_vectors(self, article: Article) -> np.ndarray:
        vectors = self.store.get_vectors(article.id, SENTENCE_VECTORS)
        if vectors is None:  # stored by an older run without vectors: compute now
            from .models import embed

            vectors = embed([s.text for s in split_sentences(article.id, article.text)])
            self.store.put_vectors(article.id, SENTENCE_VECTORS, vectors)
        return vectors

    # ------------------------------------------------------------ step 6-7: per story

    @_under_settings
    def material(self, story_id: str, articles: Sequence[Article] | None = None) -> StoryMaterial:
        if articles is None:
            ids = [m.article_id for m in self.store.memberships(story_id)]
            articles = self.store.articles(ids)
        fixes = corrections_in_force(self.store.corrections([a.id for a in articles]))
        articles = sorted(_dated(articles, fixes), key=_by_publication)
        sentences = {a.id: tuple(split_sentences(a.id, a.text)) for a in articles}
        vectors = {a.id: self._sentence_vectors(a) for a in articles if is_analysed(a.language)}
        extractions = {
            a.id: _with_speakers(self.store.get_extraction(a.id) or ArticleExtraction(a.id), fixes)
            for a in articles
        }
        vectors = self._embed_rows_read(sentences, vectors)
        return StoryMaterial(story_id, tuple(articles), sentences, vectors, extractions, fixes)

    def _embed_rows_read(
        self, sentences: dict[str, tuple[Sentence, ...]], vectors: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """The story's sentence vectors, every row embedded once the story holds two articles (claims,
        citations and omissions compare every sentence across them), and stored for the next analysis. Ingest
        embeds only what the story join reads (`stories.article_vector_rows`); a story of one article keeps
        that: its brief draws on its lead and the sampled body."""
        if len(vectors) < 2:
            return vectors
        missing = [
            (article_id, int(i))
            for article_id, rows in vectors.items()
            for i in np.flatnonzero(~rows.any(axis=1))
            if i < len(sentences[article_id])  # rows of an older split have no sentence to embed
        ]
        if not missing:
            return vectors
        new = self.engine.embed([sentences[article_id][i].text for article_id, i in missing])
        completed = {
            article_id: vectors[article_id].copy() for article_id in dict.fromkeys(a for a, _ in missing)
        }
        for (article_id, i), vector in zip(missing, new, strict=True):
            completed[article_id][i] = vector
        with self.store.transaction():
            for article_id, rows in completed.items():
                self.store.put_vectors(article_id, SENTENCE_VECTORS, rows)
        return {**vectors, **completed}

    @_under_settings
    def analyze_material(self, material: StoryMaterial) -> StoryAnalysis:
        """Run the story stages (`stages.STORY_STAGES`) over one story's material."""
        return analysis_of(self._job(material), self.generator)

    def _job(self, material: StoryMaterial) -> StoryJob:
        """A story's material with what the store says of it: everything `analysis_of` needs."""
        from .engines import StoryJob

        state = self.store.story_state(material.story_id)
        fallback = state.title if state else (material.articles[0].title or "") if material.articles else ""
        return StoryJob(material, tuple(self.store.memberships(material.story_id)), fallback)

    @_under_settings
    def analyze_story(self, story_id: str) -> StoryAnalysis:
        """Analyse one story and store its analysis."""
        analysis = self.analyze_material(self.material(story_id))
        self._store_analysis(analysis)
        return analysis

    def _store_analysis(self, analysis: StoryAnalysis) -> None:
        story_id = analysis.story_id
        with self.store.transaction():
            if self._run is not None:
                before = self.store.get_analysis(story_id)
                self._log(runlog.claim_changes(story_id, before.claims if before else None, analysis.claims))
            self.store.put_analysis(analysis)
            if analysis.incomplete:  # shown as far as it got, and tried again by the next run
                self.store.add_rejections(
                    [Rejection(f"story {story_id}", "; ".join(analysis.incomplete)[:1000])]
                )
            else:
                self.store.mark_done("analysis", [story_id])
                self.store.clear_rejections([f"story {story_id}"])

    @_under_settings
    def analyse_stories(self, story_ids: Sequence[str]) -> tuple[list[str], list[Rejection]]:
        """Analyse the stories through the engine (in parallel where it can) and store each analysis as it
        comes, in the order given. A story whose analysis fails is recorded as a rejection ("story ID" and the
        cause), stays undone for the next run, and the others go on. Returns the stories analysed and the
        failures (including analyses stored incomplete)."""
        analysed: list[str] = []
        failed: list[Rejection] = []

        def fail(story_id: str, exc: BaseException) -> None:
            log.debug("analysis of story %s failed", story_id, exc_info=exc)
            cause = str(exc) if isinstance(exc, NewsprismError) else f"{type(exc).__name__}: {exc}"
            failed.append(Rejection(f"story {story_id}", f"analysis failed ({cause})"[:500]))
            log.warning("story %s: %s", story_id, failed[-1].reason)
            self.store.add_rejections(failed[-1:])

        def jobs() -> Iterator[StoryJob]:
            for story_id in story_ids:
                try:
                    yield self._job(self.material(story_id))
                except Exception as exc:  # noqa: BLE001 - one story's failure must not end the run
                    fail(story_id, exc)

        outcomes = self.engine.analyse(jobs(), self.generator)
        for story_id, outcome in self._progress(outcomes, "analysing stories", "story", len(story_ids)):
            if isinstance(outcome, Exception):
                fail(story_id, outcome)
                continue
            try:
                self._store_analysis(outcome)
            except Exception as exc:  # noqa: BLE001 - as above: recorded, and the next run tries it again
                fail(story_id, exc)
                continue
            analysed.append(story_id)
            if outcome.incomplete:
                failed.append(Rejection(f"story {story_id}", "; ".join(outcome.incomplete)[:1000]))
        return analysed, failed

    @_under_settings
    def analyse_again(self, story_ids: Sequence[str]) -> tuple[list[str], list[Rejection]]:
        """Analyse again stories whose input changed outside a run (a correction, a takedown): they are
        marked out of date first, so one whose analysis fails is left for the next run (`analyse_stories`)."""
        with self.store.transaction():
            self.store.forget_done("analysis", story_ids)
        return self.analyse_stories(story_ids)

    @_under_settings
    def analyze_as_story(
        self, docs: Iterable[RawDocument | Rejection], story_id: str = "adhoc"
    ) -> StoryAnalysis:
        """Treat the given documents as one story, skipping clustering (summaries eval, API users)."""
        result = self.ingest(docs)
        unique = list({a.id: a for a in result.articles}.values())
        return self.analyze_material(self.material(story_id, unique))

    # ------------------------------------------------------------ the whole run

    @_under_settings
    def run(self, docs: Iterable[RawDocument | Rejection]) -> RunResult:
        """Ingest the documents, cluster what is new, and analyse every story that changed; then finish what
        an interrupted earlier run left undone (articles stored but never clustered, stories whose analysis
        is missing or out of date). A story whose analysis fails is reported as a rejection, stays undone for
        the next run, and the other stories go on. The run holds the store (`Store.writer`): on SQLite a
        second run on the same store is refused, not interleaved; on PostgreSQL runs ingest side by side
        and take turns at the story stage (`Store.story_stage`)."""
        with self.store.writer():
            run = self._run = self.store.begin_run()
            self._merges = []
            self._changed = Counter()
            try:
                result = self._ingest_and_file(docs)
                self.store.end_run(
                    run,
                    result.ingest.article_count,
                    len(result.ingest.new_ids),
                    result.ingest.rejected_count,
                    len(result.story_ids),
                )
                changed = tuple((kind, self._changed[kind]) for kind in CHANGE_KINDS if self._changed[kind])
                return replace(result, run=run, changed=changed)
            finally:
                self._run = None

    def _ingest_and_file(self, docs: Iterable[RawDocument | Rejection]) -> RunResult:
        ingest = self.ingest(docs)
        with self.store.story_stage() as others_filed_stories:
            return self._story_stage(ingest, others_filed_stories)

    def _story_stage(self, ingest: IngestResult, others_filed_stories: bool) -> RunResult:
        """File the new articles (and any that an earlier or a concurrent run stored but did not file) in
        stories, then analyse every story that changed or lacks an analysis."""
        if others_filed_stories:  # another run's story stage finished since ours: read the stories afresh
            self._clusterer = None
        new_ids = set(ingest.new_ids)
        leftover = [i for i in self.store.unfinished("stories", after="extract") if i not in new_ids]
        # an article a concurrent run stored too may have been filed by it already
        pending = self.store.undone("stories", [*ingest.new_ids, *leftover])
        when: dict[str, tuple[bool, datetime]] = {}
        titles: dict[str, str | None] = {}  # for the run log
        for lo in range(0, len(pending), _CHUNK):
            for article in self.store.articles(pending[lo : lo + _CHUNK]):
                when[article.id] = _by_publication(article)
                titles[article.id] = article.title
        existed = set(self.store.story_ids()) if pending and self._run is not None else set()
        assignments = self.cluster(sorted(when, key=when.__getitem__))  # stable: ties keep arrival order
        if self._run is not None and assignments:
            self._log_filing(assignments, existed, titles)
        touched: list[str] = []
        for assignment in assignments:
            story = self.store.resolve_story(assignment.story_id)
            if story and story not in touched:
                touched.append(story)
        touched += [s for s in self.store.undone("analysis", self.store.story_ids()) if s not in touched]
        analysed, failed = self.analyse_stories(touched)
        return RunResult(ingest, tuple(assignments), tuple(analysed), failed=tuple(failed))

    def _story_title(self, story_id: str) -> str | None:
        state = self.store.story_state(story_id)
        return state.title if state else None

    def _log_filing(
        self, assignments: Sequence[StoryAssignment], existed: set[str], titles: dict[str, str | None]
    ) -> None:
        """Record in the run log which stories this run founded, which articles joined earlier stories and
        which earlier stories merged, each with why."""
        from .stories.clusterer import merge_reason

        ids = [a.article_id for a in assignments]
        changes = runlog.filing_changes(
            assignments,
            existed,
            self.store.resolve_story,
            self._story_title,
            titles,
            self.store.source_labels(ids),
        )
        moves = [(small, big, merge_reason(small, note)) for small, big, note in self._merges]
        # an absorbed story keeps its title (and gains `merged_into`)
        changes += runlog.merge_changes(moves, existed, self.store.resolve_story, self._story_title)
        self._log(changes)
        self._merges = []

    def _log(self, changes: Sequence[Change]) -> None:
        if self._run is not None and changes:
            self.store.add_changes(self._run, changes)
            self._changed.update(c.kind for c in changes)

    def _progress(
        self, items: Iterable, label: str, unit: str = "item", total: int | None = None
    ) -> Iterable:
        if not self.progress:
            return items
        from tqdm import tqdm

        return tqdm(items, desc=label, unit=unit, total=total, file=sys.stderr, leave=False)


def _frozen(value: Any) -> Any:
    # stages may return lists; records hold tuples
    return tuple(value) if isinstance(value, list) else value


def analysis_of(job: StoryJob, generator: Generator | None = None) -> StoryAnalysis:
    """Run the story stages (`stages.STORY_STAGES`) over one story's material. Reads no store: a job carries
    what the store says of its story, so an engine may run this anywhere."""
    from .stages import STORY_STAGES, run_stages

    material = job.material
    analysed = _analysed_part(material)
    if analysed.articles:
        values, incomplete = run_stages({"material": analysed, "generator": generator})
    else:  # nothing the models read: the stages' empty outputs, and no stage counted as failed
        values = {
            name: empty
            for stage in STORY_STAGES
            for name, empty in zip(stage.writes, stage.empty, strict=True)
        }
        incomplete = ()
    # The story is named by its neutral title (the least loaded headline), not by whichever outlet's
    # headline founded it
    title = values["neutral_title"] or job.fallback_title
    outputs = {f.name for f in fields(StoryAnalysis)}
    return StoryAnalysis(
        story_id=material.story_id,
        title=title,
        article_ids=tuple(a.id for a in material.articles),
        numbers=tuple(n for a in analysed.articles for n in analysed.extractions[a.id].numbers),
        membership=job.membership,
        incomplete=incomplete,
        not_analysed=tuple(a.id for a in material.articles if not is_analysed(a.language)),
        **{name: _frozen(value) for name, value in values.items() if name in outputs},
    )


def _dated(articles: Iterable[Article], fixes: Corrections) -> list[Article]:
    """The articles with the publication dates an editor fixed."""
    return [replace(a, published=fixes.published[a.id]) if a.id in fixes.published else a for a in articles]


def _with_speakers(extraction: ArticleExtraction, fixes: Corrections) -> ArticleExtraction:
    """An article's quotes with the speakers an editor named or removed: the editor's word, at full confidence
    (a removed speaker leaves the quote unattributed, and no other article's name is carried to it)."""
    if not fixes.speakers:
        return extraction
    quotes = []
    for q in extraction.quotes:
        span = (q.article_id, q.start, q.end)
        if span not in fixes.speakers:
            quotes.append(q)
            continue
        name = fixes.speakers[span]
        quotes.append(
            replace(
                q,
                speaker=name,
                speaker_mention=name,
                speaker_start=None,
                speaker_end=None,
                affiliation=None,
                attribution=EDITOR,
                confidence=1.0 if name else None,
            )
        )
    return replace(extraction, quotes=tuple(quotes))


def _kept_apart(article: Article) -> str:
    return (
        f"a story of its own: written in {article.language}, which the models do not read"
        " (analysis_languages), so newsprism does not judge which other reports tell of the same event"
    )


def _analysed_part(material: StoryMaterial) -> StoryMaterial:
    """The story's material restricted to the articles its models read (`text.languages.is_analysed`)."""
    keep = tuple(a for a in material.articles if is_analysed(a.language))
    if len(keep) == len(material.articles):
        return material
    ids = {a.id for a in keep}
    return StoryMaterial(
        material.story_id,
        keep,
        {k: v for k, v in material.sentences.items() if k in ids},
        {k: v for k, v in material.vectors.items() if k in ids},
        {k: v for k, v in material.extractions.items() if k in ids},
    )


def entity_counts(extraction: ArticleExtraction | None) -> dict[str, int]:
    """Mention counts of the named things in an article, the entity evidence for story clustering."""
    if extraction is None:
        return {}
    # The headline and lead name who and what the event is about; the body adds background (earlier
    # incidents, a teammate's arrest), so a lead mention counts 1 + story_lead_entity_bonus times.
    lead = settings.current().story_lead_entity_chars
    bonus = settings.current().story_lead_entity_bonus
    counts: Counter[str] = Counter()
    for mention in extraction.mentions:
        if mention.label in _CLUSTER_LABELS:
            counts[_cluster_key(mention)] += 1 + bonus if mention.start < lead else 1
    counts.pop("", None)
    return dict(counts)


def lead_people(extraction: ArticleExtraction | None) -> list[str]:
    """Clustering keys (see _cluster_key) of the people named in the headline and lead
    (story_lead_entity_chars) and again in the article (story_people_min_mentions): whom the event is
    about, e.g. the player arrested, not the spokesman quoted once."""
    if extraction is None:
        return []
    lead = settings.current().story_lead_entity_chars
    least = settings.current().story_people_min_mentions
    people = [(m.start, _cluster_key(m)) for m in extraction.mentions if m.label == "PERSON"]
    counts = Counter(key for _, key in people)
    keys = {key for start, key in people if start < lead and counts[key] >= least}
    keys.discard("")
    return sorted(keys)


_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _cluster_key(mention: EntityMention) -> str:
    """A mention's clustering key: its lower-cased text, a person's by surname alone.

    News names a person in full once, then by surname ("Lindsay Lohan", then "Lohan"); keyed by surname
    the two mentions, and the articles using either, share one entity. ECB+ dev B3-F1 0.9150 -> 0.9163.
    """
    text = mention.text.lower()
    if mention.label != "PERSON":
        return text
    words = [w for w in text.replace(",", " ").split() if w not in _NAME_SUFFIXES]
    if not words:
        return text
    surname = words[-1]
    for suffix in ("'s", "’s"):
        surname = surname.removesuffix(suffix)
    return surname


def analyze(
    paths: Sequence[str | Path],
    db: str | Path = "newsprism.db",
    out: str | Path | None = "newsprism-report",
    progress: bool = False,
    generator: Generator | None = None,
    settings: settings.Settings | None = None,
    engine: Engine | None = None,
    keep_articles: bool = True,
) -> RunResult:
    """Analyse files and folders into the store at `db` (a SQLite file, or a postgresql:// URL) and
    (re)write the report in `out`, under `settings` (default: those in force), with the work run by `engine`
    (default: this process and its pools; closed at the end). `keep_articles=False`: the result counts the
    articles read instead of holding them (`Pipeline`).

    With a `generator` (`brief.abstractive.make_generator`) each story's brief is written by that language
    model and verified against the sources; without one it is the extractive brief."""
    from . import settings as settings_table
    from .ingest import read_inputs
    from .report import write_report

    store = open_store(str(db))
    try:
        with settings_table.use(settings or settings_table.current()) as run_settings:
            pipeline = Pipeline(
                store,
                progress=progress,
                generator=generator,
                settings=run_settings,
                engine=engine,
                keep_articles=keep_articles,
            )
            with _input_progress(progress) as on_progress:
                result = pipeline.run(read_inputs(paths, on_progress))
            if out is None:
                return result
            files = tuple(write_report(store, Path(out)))
        return replace(result, report_dir=Path(out), report_files=files)
    finally:
        store.close()
        if engine is not None:
            engine.close()


@contextmanager
def _input_progress(shown: bool) -> Iterator[Callable[[InputProgress], None] | None]:
    """A progress bar of the input read and left, in bytes (a JSONL or WARC file followed as it streams), with
    its files, beside the per-document one of the cleaning: what is left, and when it will be done."""
    if not shown:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(desc="input", unit="B", unit_scale=True, file=sys.stderr, leave=False, position=1)

    def read(progress: InputProgress) -> None:
        bar.total = progress.bytes_total
        bar.set_postfix_str(f"{progress.files_read}/{progress.files_total} files", refresh=False)
        bar.update(progress.bytes_read - bar.n)

    try:
        yield read
    finally:
        bar.close()


def _by_publication(article: Article) -> tuple[bool, datetime]:
    """Sort key: the publication time (as UTC; an ISO string with another offset sorts out of time order),
    undated articles last."""
    return article.published_at is None, article.published_at or datetime.min

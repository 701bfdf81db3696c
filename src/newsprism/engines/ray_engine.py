"""The Ray engine: cleaning, embedding and parsing, and story analyses on a Ray cluster (or on this machine
in Ray's local mode), with the same answers as the local engine.

`newsprism analyze PATH... --engine ray [--ray-address ADDRESS] [--workers N]`. It needs `pip install
'newsprism[ray]'`.

What runs where:
- the driver (the `analyze` process) reads the inputs in a stream, recognises inputs already stored, applies
  each site's boilerplate step in input order, writes each batch in one transaction, files articles in
  stories (ordered by publication, as the local engine orders them) and writes each analysis;
- `N` cleaner actors clean pages (`clean.batch.clean_one`), a few pages a call, with a bounded window of
  calls in flight, so the input is never all in memory;
- `N` analyser actors load MiniLM and spaCy once each, and embed and parse each batch (split among them) and
  analyse the stories that changed (one story a call).
Results come back in the order they were sent, so everything the driver does happens in input order.

A worker that dies mid-call (killed, out of memory) is restarted by Ray and the call runs again
(`max_restarts`, `max_task_retries`); nothing was written for it, so nothing is stored twice. A page whose
cleaning kills its worker every time becomes a rejection naming the page; a batch whose parsing does ends
the run with an error naming its inputs, and the next run starts again from the batches already written.

Ray Core actors are used, not Ray Data: the site step between cleaning and embedding must see every page in
input order in one place, so the work is two ordered pools fed by the driver rather than one dataset plan.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .. import settings
from ..errors import EngineError, MissingExtra
from ..records import Article, ArticleExtraction, RawDocument, Rejection, StoryAnalysis
from . import StoryJob

if TYPE_CHECKING:
    from ..brief.abstractive import Generator
    from ..clean.site import SiteMemory

T = TypeVar("T")

_PAGES_PER_CALL = 8  # pages a cleaner takes per call: amortises Ray's per-call cost (about a millisecond)
_CALLS_IN_FLIGHT_PER_ACTOR = 3  # keeps every actor busy while the driver works, without reading far ahead
_RETRIES = 2  # restarts of a dead actor, and re-runs of the call it was running
# In each actor: one thread for BLAS and onnxruntime, and parsing in the actor itself (no pool of its own).
_IN_ACTOR = {"spacy_processes": 1, "embedding_threads": 1, "clean_workers": 1}


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingExtra("--engine ray", "newsprism[ray]") from exc
    return ray


class RayEngine:
    """Run the parallel work on Ray. `address`: a running cluster ('auto', or 'ray://host:10001'); without
    one, Ray starts on this machine. `workers`: cleaner and analyser actors of each kind (default: the
    cluster's CPUs); `cpus_per_actor`: what each asks of the scheduler (a cleaner and an analyser take turns
    on a core: the driver feeds one while waiting for the other)."""

    def __init__(self, address: str | None = None, workers: int | None = None, cpus_per_actor: float = 0.5):
        ray = _ray()
        self._ray = ray
        self._started_here = False
        if not ray.is_initialized():
            try:
                ray.init(
                    address=address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                    num_cpus=None if address else (os.cpu_count() or 1),
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise EngineError(
                    f"cannot reach the Ray cluster at {address or 'this machine'}: {exc}"
                ) from exc
            self._started_here = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers if workers is not None else cpus)
        self.cpus_per_actor = cpus_per_actor
        self._cleaners: list[Any] = []
        self._analysers: list[Any] = []

    # ------------------------------------------------------------ the three parts of the work

    def clean(
        self, items: Iterable[RawDocument | T], site_memory: SiteMemory | None
    ) -> Iterator[Article | Rejection | T]:
        from ..clean.batch import apply_site_boilerplate

        values = _actor_settings()
        for (_, pages), outcome in self._ordered(self._cleaner_pool(), "clean", _chunks(items, values)):
            if isinstance(outcome, BaseException):  # clean_one keeps a page's own failure: its worker died
                why = f"the Ray worker cleaning it failed {_RETRIES + 1} times ({_cause(outcome)})"
                outcome = [
                    Rejection(raw.source, why) if isinstance(raw, RawDocument) else raw for raw in pages
                ]
            for result in outcome:
                yield apply_site_boilerplate(result, site_memory) if isinstance(result, Article) else result

    def embed_and_extract(
        self, articles: list[Article], sentences: dict[str, list[Any]]
    ) -> tuple[list[np.ndarray | None], list[ArticleExtraction | None]]:
        if not articles:
            return [], []
        pool = self._analyser_pool()
        values = _actor_settings()
        calls = [
            (values, part, {a.id: sentences[a.id] for a in part}) for part in _shares(articles, len(pool))
        ]
        vectors: list[np.ndarray | None] = []
        extractions: list[ArticleExtraction | None] = []
        for (_, part, _), outcome in self._ordered(pool, "embed_and_extract", calls):
            if isinstance(outcome, BaseException):
                names = ", ".join(a.source for a in part[:5]) + (" ..." if len(part) > 5 else "")
                raise EngineError(
                    f"the Ray worker parsing {names} failed {_RETRIES + 1} times ({_cause(outcome)}); nothing of"
                    " this batch was stored, and the next run starts again from it"
                )
            vectors += outcome[0]
            extractions += outcome[1]
        return vectors, extractions

    def analyse(
        self, jobs: Iterable[StoryJob], generator: Generator | None
    ) -> Iterator[tuple[str, StoryAnalysis | Exception]]:
        if generator is not None:  # a language model's client stays with the driver: analyse here
            from . import LocalEngine

            yield from LocalEngine().analyse(jobs, generator)
            return
        values = _actor_settings()
        calls = ((values, job) for job in jobs)
        for (_, job), outcome in self._ordered(self._analyser_pool(), "analyse", calls):
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                outcome = EngineError(_cause(outcome))
            yield job.material.story_id, outcome

    def close(self) -> None:
        for actor in self._cleaners + self._analysers:
            self._ray.kill(actor)
        self._cleaners, self._analysers = [], []
        if self._started_here:
            self._ray.shutdown()

    # ------------------------------------------------------------ internals

    def _cleaner_pool(self) -> list[Any]:
        if not self._cleaners:
            self._cleaners = [self._actor(_Cleaner) for _ in range(self.workers)]
        return self._cleaners

    def _analyser_pool(self) -> list[Any]:
        if not self._analysers:
            self._analysers = [self._actor(_Analyser) for _ in range(self.workers)]
        return self._analysers

    def _actor(self, cls: type) -> Any:
        remote = self._ray.remote(cls).options(
            num_cpus=self.cpus_per_actor, max_restarts=_RETRIES, max_task_retries=_RETRIES
        )
        return remote.remote()

    def embed(self, texts: list[str]) -> np.ndarray:
        from ..models.embeddings import DIMENSIONS

        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        pool = self._analyser_pool()
        values = _actor_settings()
        calls = [(values, part) for part in _shares(texts, len(pool))]
        parts = []
        for _, outcome in self._ordered(pool, "embed", calls):
            if isinstance(outcome, BaseException):
                raise EngineError(f"the Ray worker embedding a story's sentences failed ({_cause(outcome)})")
            parts.append(outcome)
        return np.concatenate(parts)

    def _ordered(self, actors: list[Any], method: str, calls: Iterable[tuple]) -> Iterator[tuple[tuple, Any]]:
        """(call, its result) for each call in order, the calls spread round-robin over `actors` with a
        bounded window in flight; a call whose actor died past its retries gives the exception instead."""
        ray = self._ray
        errors = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError)
        window = _CALLS_IN_FLIGHT_PER_ACTOR * len(actors)
        pending: deque[tuple[tuple, Any]] = deque()
        calls = iter(calls)
        sent = 0

        def send(count: int) -> None:
            nonlocal sent
            for call in islice(calls, count):
                actor = actors[sent % len(actors)]
                sent += 1
                pending.append((call, getattr(actor, method).remote(*call)))

        send(window)
        while pending:
            call, ref = pending.popleft()
            try:
                result = ray.get(ref)
            except errors as exc:
                result = exc
            except (
                ray.exceptions.RayTaskError
            ) as exc:  # the call raised: its cause, as the local engine gives it
                result = exc.cause if isinstance(exc.cause, Exception) else EngineError(_cause(exc))
            send(1)
            yield call, result


def _chunks(items: Iterable[RawDocument | T], values: Any) -> Iterator[tuple[Any, list[RawDocument | T]]]:
    """Calls of up to _PAGES_PER_CALL items each; what is not a page rides along and comes back as it is."""
    iterator = iter(items)
    while chunk := list(islice(iterator, _PAGES_PER_CALL)):
        yield values, chunk


def _shares(items: list[T], actors: int) -> list[list[T]]:
    """`items` cut into at most `actors` consecutive parts of equal size (the last may be shorter)."""
    step = -(-len(items) // actors)
    return [items[lo : lo + step] for lo in range(0, len(items), step)]


def _actor_settings() -> Any:
    return settings.current().replace(_IN_ACTOR)


def _cause(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def _under(values: Any, work: Callable[[], Any]) -> Any:
    with settings.use(values):
        return work()


class _Cleaner:
    """A Ray actor that cleans pages; the extraction libraries load once, when it starts."""

    def __init__(self) -> None:
        from ..clean.batch import warm_up_worker

        warm_up_worker()

    def clean(self, values: Any, items: list[Any]) -> list[Any]:
        from ..clean.batch import clean_one

        return _under(values, lambda: [clean_one(i) if isinstance(i, RawDocument) else i for i in items])

    def pid(self) -> int:
        return os.getpid()


class _Analyser:
    """A Ray actor that embeds, parses and analyses stories; MiniLM and spaCy load once, on first use."""

    def __init__(self) -> None:
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)
        except ImportError:
            pass

    def embed_and_extract(self, values: Any, articles: list[Article], sentences: dict[str, list[Any]]) -> Any:
        from . import embed_and_extract_here

        return _under(values, lambda: embed_and_extract_here(articles, sentences))

    def embed(self, values: Any, texts: list[str]) -> Any:
        from ..models import embed

        return _under(values, lambda: embed(texts))

    def analyse(self, values: Any, job: StoryJob) -> StoryAnalysis:
        from ..pipeline import analysis_of

        return _under(values, lambda: analysis_of(job))

    def pid(self) -> int:
        return os.getpid()

"""Clean many documents at once: a process pool for the page extraction, the site step in the parent.

`clean_document` is CPU-bound pure Python (lxml, trafilatura, htmldate, the text rules), so threads do not
help and processes do. Workers clean without site memory; the parent then applies the site boilerplate step
(`site.learn_and_remove`), in input order, so what the memory learns and removes is the same as cleaning
the documents one by one with `clean_document(raw, site_memory)`. Below `clean_batch_min_documents`
the pool's start-up (a fresh interpreter importing trafilatura, ~1 s) costs more than it saves, so small
batches run in the calling process.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

from .. import settings
from ..errors import InputError
from ..records import Article, RawDocument, Rejection
from ..workers import WorkerPool
from . import clean_document
from .site import SiteMemory, learn_and_remove, site_key

__all__ = ["apply_site_boilerplate", "clean_documents", "clean_one"]

T = TypeVar("T")

_START_METHOD = "forkserver"
_PRELOAD = "newsprism.clean.warm"  # imported once in the fork server, so workers start with it loaded
_WINDOW_PER_WORKER = 16  # documents in flight per worker: keeps the pool busy without holding the whole input


class CleanTimeout(Exception):
    """Raised inside a cleaning call that ran past `clean_document_timeout_s`."""


def clean_documents(
    raws: Iterable[RawDocument | T],
    workers: int | None = None,
    site_memory: SiteMemory | None = None,
) -> Iterator[Article | Rejection | T]:
    """Clean `raws` in input order, one `Article` or `Rejection` per input; anything that is not a
    `RawDocument` (a rejection from reading, an article the caller already has) passes through in its place.

    `workers` processes (default `clean_workers`, 0 = one per CPU) clean pages in parallel; a document that
    fails, or runs past `clean_document_timeout_s`, becomes a `Rejection` naming its source and the cause,
    and the rest of the batch goes on. With a `site_memory`, site boilerplate is learned and removed in the
    parent in input order, exactly as `clean_document(raw, site_memory)` would one at a time.
    """
    if workers is None:
        workers = settings.current().clean_workers or os.cpu_count() or 1
    iterator = iter(raws)
    minimum = settings.current().clean_batch_min_documents
    head = list(islice(iterator, max(minimum, 1)))
    if workers <= 1 or len(head) < minimum:
        for raw in head:  # fewer than the minimum: the iterator is exhausted
            yield _clean_here(raw, site_memory)
        for raw in iterator:  # workers <= 1
            yield _clean_here(raw, site_memory)
        return
    yield from _clean_pooled(_chain(head, iterator), workers, site_memory)


def apply_site_boilerplate(article: Article, site_memory: SiteMemory | None) -> Article:
    """The site step of `clean_document` applied to an article cleaned without site memory.

    Same site key (the URL's host, else the outlet), same fallback when nothing would be left; the id, made
    from the raw document, stays. The language stays as the worker found it (a declared one must survive;
    short furniture lines do not change a detected one).
    """
    if site_memory is None:
        return article
    site = site_key(article.url, article.outlet)
    text, site_removed = learn_and_remove(article.text, site, site_memory, article.id)
    if len(text) < settings.current().min_text_chars:  # everything left was the site's furniture
        return article
    if not site_removed:
        return article
    return dataclasses.replace(
        article,
        text=text,
        removed=article.removed + site_removed,
    )


# ------------------------------------------------------------------ internals


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


def _clean_here(item: RawDocument | T, site_memory: SiteMemory | None) -> Article | Rejection | T:
    """One document in this process, capped in time where a signal timer is available (the main thread)."""
    if not isinstance(item, RawDocument):
        return item
    return _capped(item, lambda: clean_document(item, site_memory))


def _capped(raw: RawDocument, work: Any) -> Article | Rejection:
    limit = settings.current().clean_document_timeout_s
    timed = (
        limit > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    previous = None
    if timed:

        def expire(_signum: int, _frame: Any) -> None:
            raise CleanTimeout

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return work()
    except CleanTimeout:
        return Rejection(
            raw.source,
            f"cleaning took longer than {limit:g} s (clean_document_timeout_s); the page is pathological or"
            " far too large",
        )
    except InputError as exc:
        return Rejection(raw.source, exc.cause)
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end the batch; its cause is kept
        return Rejection(raw.source, f"cleaning failed ({type(exc).__name__}: {exc})"[:500])
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def clean_one(raw: RawDocument) -> Article | Rejection:
    """Clean one page without site memory, capped in time; its failure becomes a `Rejection` (a pool task:
    `workers.WorkerPool` and the Ray engine run it under the sender's settings)."""
    return _capped(raw, lambda: clean_document(raw))


def warm_up_worker() -> None:
    """Start a worker: one BLAS thread, then the extraction libraries and models (`warm`; already loaded when
    the worker was forked from a preloaded server), so that the first page's time cap does not pay for them.

    py3langid's language scoring is a small numpy product; OpenBLAS's default of one thread per core makes
    its idle threads spin, which doubled the CPU time per page (96 vs 40 ms on fundus pages) and, with one
    worker per core, left the workers fighting over the cores."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # threadpoolctl comes with scikit-learn; without it the default stays
        pass
    from .warm import warm  # a no-op when the fork server preloaded it (`_Pool`)

    warm()


def _pool(workers: int) -> WorkerPool:
    # the fork server imports `warm` once and workers fork from it loaded (see workers.py for why a server)
    return WorkerPool(workers, _START_METHOD, preload=[_PRELOAD], initializer=warm_up_worker)


def _clean_pooled(
    items: Iterator[RawDocument | T], workers: int, site_memory: SiteMemory | None
) -> Iterator[Article | Rejection | T]:
    """A sliding window of submitted documents: while the caller works on one result (the pipeline embeds
    and parses between yields), the workers keep cleaning up to `window` documents ahead. An item that is not
    a document (a rejection from reading) goes straight out when nothing is in flight before it, so a file of
    a million bad lines costs no pool bookkeeping."""
    window = workers * _WINDOW_PER_WORKER
    pool = _pool(workers)
    pending: deque[tuple[RawDocument | T, Future | None]] = deque()
    try:
        for item in items:
            if isinstance(item, RawDocument):
                pending.append((item, _submitted(pool, item)))
            elif pending:
                pending.append((item, None))
            else:
                yield item
                continue
            while len(pending) > window:  # `window` in flight while the caller works on a result
                yield from _next_result(pending, pool, site_memory)
        while pending:
            yield from _next_result(pending, pool, site_memory)
    finally:
        pool.shutdown()


def _submitted(pool: WorkerPool, item: RawDocument) -> Future:
    """The cleaning task of `item`; when the pool broke before it could take it (a worker died), a future
    that says so, so that `_next_result` retries it with the others in flight."""
    try:
        return pool.submit(clean_one, item)
    except BrokenProcessPool as exc:
        refused: Future = Future()
        refused.set_exception(exc)
        return refused


def _next_result(
    pending: deque[tuple[RawDocument | T, Future | None]], pool: WorkerPool, site_memory: SiteMemory | None
) -> Iterator[Article | Rejection | T]:
    """The first pending item's result; when its worker died (a crash in native code), every pending item's,
    cleaned one at a time."""
    item, future = pending.popleft()
    if future is None:  # passed through
        yield item
        return
    try:
        result = future.result()
    except BrokenProcessPool:
        rest = [item] + [queued for queued, _ in pending]
        pending.clear()
        pool.restart()
        yield from _retry_alone(rest, pool, site_memory)
        return
    yield apply_site_boilerplate(result, site_memory) if isinstance(result, Article) else result


# Workers start from a fork server, which imports the main script again: a script that calls newsprism
# without a `__main__` guard makes every worker die at start, and each page reads as crashed.
_CRASHED = (
    "cleaning crashed its worker process (a failure in native code; or, from a script, a call to newsprism"
    ' outside `if __name__ == "__main__":`, since the worker processes import the script again)'
)


def _retry_alone(
    rest: list[RawDocument | T],
    pool: WorkerPool,
    site_memory: SiteMemory | None,
) -> Iterator[Article | Rejection | T]:
    """After a worker died: the documents one at a time; one that kills a worker again is rejected."""
    for item in rest:
        if not isinstance(item, RawDocument):
            yield item
            continue
        try:
            result = pool.submit(clean_one, item).result()
        except BrokenProcessPool:
            pool.restart()
            yield Rejection(item.source, _CRASHED)
            continue
        yield apply_site_boilerplate(result, site_memory) if isinstance(result, Article) else result

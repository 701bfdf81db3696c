"""Batch cleaning: input order, rejections instead of failures, the store step as in clean_document."""

from __future__ import annotations

import time

import pytest

from newsprism import settings
from newsprism.clean import batch as batch_module
from newsprism.clean import clean_document
from newsprism.clean.batch import clean_documents
from newsprism.clean.site import SiteMemory
from newsprism.records import Article, RawDocument, Rejection

PROMO = "Follow the Harbour Gazette on social media for the latest local news."


def page(k: int, site: str = "https://gazette.example/news", lang: str = "") -> RawDocument:
    body = (
        f"<p>The council of town number {k} voted on Tuesday to rebuild the old harbour bridge,"
        " officials said.</p>"
        f"<p>Work on bridge {k} is expected to start next spring and last about two years,"
        " the mayor added.</p>"
        f"<p>{PROMO}</p>"
    )
    lang_attr = f' lang="{lang}"' if lang else ""
    head = f"<head><title>Bridge {k}</title></head>"
    html = f"<html{lang_attr}>{head}<body><article>{body}</article></body></html>"
    return RawDocument(f"page-{k}.html", "html", html, {"url": f"{site}/{k}"})


def test_pool_keeps_input_order_and_turns_failures_into_rejections():
    docs: list[RawDocument | Rejection] = [page(k) for k in range(6)]
    docs.insert(2, RawDocument("empty.html", "html", "<html><body></body></html>", {}))
    docs.insert(4, Rejection("given.txt", "was already rejected by ingest"))
    with settings.override({"clean_batch_min_documents": 2}):
        out = list(clean_documents(docs, workers=2))
    assert [getattr(x, "source", None) or x.input for x in out] == [
        d.source if isinstance(d, RawDocument) else d.input for d in docs
    ]
    assert isinstance(out[2], Rejection) and out[2].input == "empty.html" and out[2].reason
    assert out[4] == Rejection("given.txt", "was already rejected by ingest")
    assert all(isinstance(x, Article) for i, x in enumerate(out) if i not in (2, 4))


def test_pool_and_serial_results_equal_clean_document_with_site_memory():
    docs = [page(k, lang="en-GB" if k % 2 else "") for k in range(8)]  # declared and detected languages
    one_by_one = SiteMemory()
    expected = [clean_document(d, one_by_one) for d in docs]
    assert any("site boilerplate" in r.reason for a in expected for r in a.removed)  # the site step acted
    for workers in (2, 1):
        with settings.override({"clean_batch_min_documents": 2}):
            got = list(clean_documents(docs, workers=workers, site_memory=SiteMemory()))
        assert got == expected


def test_small_batches_stay_in_this_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a small batch")

    monkeypatch.setattr(batch_module, "_clean_pooled", no_pool)
    with settings.override({"clean_batch_min_documents": 5}):
        out = list(clean_documents([page(1), page(2)], workers=2))
    assert [a.source for a in out] == ["page-1.html", "page-2.html"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_past_the_time_cap_is_rejected(monkeypatch, workers):
    monkeypatch.setattr(batch_module, "_START_METHOD", "fork")  # forked workers inherit the patch below

    def slow(raw, site_memory=None):
        if raw.source == "page-1.html":
            time.sleep(5)
        return clean_document(raw, site_memory)

    monkeypatch.setattr(batch_module, "clean_document", slow)
    start = time.perf_counter()
    with settings.override({"clean_document_timeout_s": 0.3, "clean_batch_min_documents": 2}):
        out = list(clean_documents([page(0), page(1), page(2)], workers=workers))
    assert time.perf_counter() - start < 4
    assert isinstance(out[1], Rejection) and "clean_document_timeout_s" in out[1].reason
    assert isinstance(out[0], Article) and isinstance(out[2], Article)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unexpected_error_names_the_document_and_the_batch_goes_on(monkeypatch, workers):
    bad = RawDocument("weird.bin", "pdf", "%PDF", {})  # type: ignore[arg-type]
    with settings.override({"clean_batch_min_documents": 2}):
        out = list(clean_documents([page(0), bad, page(1)], workers=workers))
    assert isinstance(out[1], Rejection) and out[1].input == "weird.bin" and "pdf" in out[1].reason
    assert isinstance(out[2], Article)


def test_the_fork_server_preloads_the_extraction_libraries(monkeypatch):
    from multiprocessing import forkserver

    monkeypatch.setattr(forkserver._forkserver, "_preload_modules", ["__main__"])
    pool = batch_module._pool(1)
    try:
        assert "newsprism.clean.warm" in forkserver._forkserver._preload_modules
    finally:
        pool.shutdown()


def test_a_script_without_a_main_guard_is_told_why_its_pages_crashed(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "from newsprism import settings\n"
        "from newsprism.clean.batch import clean_documents\n"
        "from newsprism.records import RawDocument\n"
        "docs = [RawDocument(f'{k}.txt', 'text', 'The council voted on Tuesday to rebuild the bridge. ' * 3, {})"
        " for k in range(3)]\n"
        "with settings.override({'clean_batch_min_documents': 2}):\n"
        "    print([getattr(x, 'reason', 'ok') for x in clean_documents(docs, workers=2)])\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    last = done.stdout.strip().splitlines()[-1]
    assert "if __name__ ==" in last and "ok" not in last


def test_a_pool_that_broke_before_taking_a_page_retries_it_instead_of_ending_the_batch(monkeypatch):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class BrokenUntilRestarted:
        """A pool whose worker died before the pages were submitted: `submit` itself refuses."""

        def __init__(self) -> None:
            self.broken, self.restarts = True, 0

        def submit(self, task, *args):
            if self.broken:
                raise BrokenProcessPool("a child process terminated abruptly")
            done: Future = Future()
            done.set_result(task(*args))
            return done

        def restart(self) -> None:
            self.broken, self.restarts = False, self.restarts + 1

        def shutdown(self, wait: bool = True) -> None:
            pass

    pool = BrokenUntilRestarted()
    monkeypatch.setattr(batch_module, "_pool", lambda workers: pool)
    docs = [
        RawDocument(f"{k}.txt", "text", "The council voted on Tuesday to rebuild the bridge. " * 3, {})
        for k in range(3)
    ]
    out = list(batch_module._clean_pooled(iter(docs), 2, None))
    assert [type(o) for o in out] == [Article] * 3 and [o.source for o in out] == ["0.txt", "1.txt", "2.txt"]
    assert pool.restarts == 1

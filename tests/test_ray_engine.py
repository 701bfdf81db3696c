"""The Ray engine gives the local engine's answers: in Ray's local mode over PostgreSQL, on a two-node cluster
(two raylets on this machine, `ray.cluster_utils.Cluster`), and with workers killed mid-run."""

import json
import os
import signal
import sys

import pytest
import ray  # the dev extra installs it: these tests never skip

from newsprism.errors import MissingExtra
from newsprism.pipeline import analyze


def _comparable(report_path) -> dict:
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report.pop("generated_at")
    return report


def test_ray_and_postgresql_give_the_sample_story_the_local_report(analysed_sample, postgres_url, tmp_path):
    from newsprism.engines.ray_engine import RayEngine
    from newsprism.store.postgres import PostgresStore

    schema = "t_ray_sample"
    url = f"{postgres_url}&options=-csearch_path%3D{schema}"
    try:
        analyze([analysed_sample["inputs"]], db=url, out=tmp_path / "report", engine=RayEngine())
        assert not ray.is_initialized()  # the engine started Ray, and stopped it
        assert _comparable(tmp_path / "report" / "report.json") == _comparable(
            analysed_sample["out"] / "report.json"
        )
    finally:
        PostgresStore(postgres_url, schema=schema, drop_on_close=True).close()


def test_a_two_node_cluster_gives_the_same_report(analysed_sample, tmp_path):
    from ray.cluster_utils import Cluster

    from newsprism.engines.ray_engine import RayEngine

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    cluster.add_node(num_cpus=2)
    try:
        engine = RayEngine(address=cluster.address, workers=4)
        assert len(ray.nodes()) == 2 and engine.workers == 4
        analyze([analysed_sample["inputs"]], db=tmp_path / "n.db", out=tmp_path / "report", engine=engine)
        assert _comparable(tmp_path / "report" / "report.json") == _comparable(
            analysed_sample["out"] / "report.json"
        )
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_workers_killed_mid_run_are_restarted_and_nothing_is_lost_or_stored_twice(analysed_sample, tmp_path):
    """A cleaner and an analyser are killed with SIGKILL while calls are queued on them; Ray restarts them and
    runs those calls again, and the report is the local one."""
    from newsprism.engines.ray_engine import RayEngine
    from newsprism.store import SQLiteStore

    killed: list[int] = []

    class KillingEngine(RayEngine):
        def _ordered(self, actors, method, calls):
            stream = super()._ordered(actors, method, calls)
            first = next(stream, None)
            if first is None:
                return
            victim = pids.get(id(actors[-1]))
            if victim is not None and victim not in killed:
                os.kill(victim, signal.SIGKILL)  # its calls in the window are queued or running
                killed.append(victim)
            yield first
            yield from stream

    engine = KillingEngine(workers=2)
    try:
        pools = {"clean": engine._cleaner_pool(), "analyse": engine._analyser_pool()}
        pids = {id(pool[-1]): ray.get(pool[-1].pid.remote()) for pool in pools.values()}
        db = tmp_path / "n.db"
        analyze([analysed_sample["inputs"]], db=db, out=tmp_path / "report", engine=engine)
    finally:
        if ray.is_initialized():
            ray.shutdown()
    assert len(killed) == 2  # one cleaner and one analyser
    assert _comparable(tmp_path / "report" / "report.json") == _comparable(
        analysed_sample["out"] / "report.json"
    )
    store = SQLiteStore(db)
    assert store.article_count() == 5 and store.unfinished("stories", after="extract") == []
    store.close()


def test_without_ray_the_error_names_the_install_line(monkeypatch):
    from newsprism.engines.ray_engine import RayEngine

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingExtra, match=r"pip install 'newsprism\[ray\]'"):
        RayEngine()


def test_basil_dev_gives_the_same_report_on_sqlite_locally_and_on_postgresql_with_ray(postgres_url, tmp_path):
    """The 150 articles of basil-dev (read at run time from ../shared, never copied): {SQLite, local} and
    {PostgreSQL, Ray} give the same stories, claim groups, briefs and everything else in report.json."""
    from newsprism.engines.ray_engine import RayEngine
    from newsprism.store.postgres import PostgresStore
    from tests.conftest import ROOT

    basil = ROOT.parent / "shared" / "eval" / "clustering" / "basil-dev.jsonl"
    analyze([basil], db=tmp_path / "n.db", out=tmp_path / "local")
    schema = "t_ray_basil"
    try:
        url = f"{postgres_url}&options=-csearch_path%3D{schema}"
        analyze([basil], db=url, out=tmp_path / "ray", engine=RayEngine(workers=2))
    finally:
        PostgresStore(postgres_url, schema=schema, drop_on_close=True).close()
    local, on_ray = (_comparable(tmp_path / run / "report.json") for run in ("local", "ray"))
    assert len(local["articles"]) == 150 and len(local["stories"]) > 10
    assert on_ray == local

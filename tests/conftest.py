import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from newsprism.store import SQLiteStore

# The same examples on every run, so that CI is red only for a change (explore more with
# `pytest --hypothesis-profile=explore`); no deadline, since the machine is shared.
hypothesis_settings.register_profile("newsprism", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile("newsprism")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "seed-story"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def analysed_sample(tmp_path_factory):
    """The five sample articles analysed once for the whole session: (report dict, out dir, db path)."""
    import json

    from newsprism.pipeline import analyze

    work = tmp_path_factory.mktemp("sample")
    inputs = work / "in"
    shutil.copytree(SAMPLE, inputs)
    db = work / "n.db"
    out = work / "report"
    result = analyze([inputs], db=db, out=out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"report": report, "out": out, "db": db, "inputs": inputs, "result": result}


# Every Store implementation the contract tests (tests/test_store.py) hold to the same behaviour, each opened
# empty and in memory. A back-end joins by adding its factory here.
STORES = {"sqlite": lambda: SQLiteStore(":memory:")}


@pytest.fixture(params=sorted(STORES))
def store(request):
    """An empty in-memory store of each implementation."""
    opened = STORES[request.param]()
    yield opened
    opened.close()

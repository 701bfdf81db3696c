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


@pytest.fixture
def sample_db(analysed_sample, tmp_path) -> Path:
    """A copy of the analysed sample's store, for a test that writes to it."""
    db = tmp_path / "n.db"
    shutil.copy(analysed_sample["db"], db)
    return db


def split_sample(folder: Path) -> tuple[Path, Path]:
    """The sample story split into two input folders under `folder`: its first article, and the other four
    (a story read in two runs)."""
    files = sorted(SAMPLE.iterdir())
    one, rest = folder / "one", folder / "rest"
    one.mkdir()
    rest.mkdir()
    shutil.copy(files[0], one)
    for f in files[1:]:
        shutil.copy(f, rest)
    return one, rest


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session (tests/pg_server.py), started on first use; its URL."""
    from tests import pg_server

    server = pg_server.start()
    yield server.url
    server.stop()


def _schema_name() -> str:
    import secrets

    return f"t_{secrets.token_hex(6)}"


# Every Store implementation the contract tests (tests/test_store.py) hold to the same behaviour: a factory
# for each that opens a new, empty store (a SQLite store in memory; a PostgreSQL store in a schema of its
# own, dropped when it closes). A back-end joins by adding its factory here.
def _sqlite_stores(request):
    return lambda: SQLiteStore(":memory:")


def _postgres_stores(request):
    from newsprism.store.postgres import PostgresStore

    url = request.getfixturevalue("postgres_url")
    return lambda: PostgresStore(url, schema=_schema_name(), drop_on_close=True)


STORES = {"sqlite": _sqlite_stores, "postgres": _postgres_stores}


@pytest.fixture(params=sorted(STORES))
def open_empty_store(request):
    """A function that opens a new, empty store of each implementation (closed after the test)."""
    opened = []
    factory = STORES[request.param](request)

    def open_one():
        opened.append(factory())
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_empty_store):
    """An empty store of each implementation."""
    return open_empty_store()

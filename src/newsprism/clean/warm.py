"""Load what cleaning a page needs, once: imported in the cleaning pool's fork server.

`batch.clean_documents` forks its workers from multiprocessing's fork server, and names this module as
the server's preload: the server imports it once, and every worker forked from it starts with lxml,
trafilatura, htmldate, the py3langid model and justext's stoplists in memory instead of loading them
itself (~0.75 s of CPU a worker, ~6 ms a page on a 258-page batch with 2 workers). The server lives as
long as the calling process, so later batches start warm too.
"""

from __future__ import annotations

import os

# The server's children are the cleaning workers: one BLAS thread each (py3langid scores with numpy; idle
# OpenBLAS threads spin and double a worker's CPU time). Set before numpy loads; a value already set wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def warm() -> None:
    """Import the extraction libraries and load the models a page uses (idempotent, cheap when done)."""
    import htmldate  # noqa: F401
    import trafilatura  # noqa: F401
    import trafilatura.metadata  # noqa: F401
    from trafilatura import external

    from . import _identifier, batch  # noqa: F401 - batch: the module the pool's tasks are unpickled from

    _identifier()
    if external.JT_STOPLIST is None:  # justext's stoplists, built on the first full-cascade page
        external.jt_stoplist_init()


warm()

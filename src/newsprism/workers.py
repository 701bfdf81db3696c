"""The one kind of worker pool: processes that run each task under the settings of the run that sent it.

Two stages use processes. Cleaning (`clean.batch`) starts its workers from a fork server, since the
pipeline may already run onnxruntime or BLAS threads between cleaning windows and forking a process with
live threads can leave a lock held forever in the child. Extraction (`extract`) forks from the parent
after loading spaCy, so that the workers share the loaded model's memory, and keeps them between calls.
Either way a task carries the caller's frozen `settings.Settings` (a fresh process has only the defaults,
and a kept one may predate a change), and a pool whose worker died is replaced rather than left broken.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Literal

from . import settings


def run_under(values: settings.Settings, task: Callable[..., Any], *args: Any) -> Any:
    """In a worker: `task(*args)` under the sender's settings."""
    with settings.use(values):
        return task(*args)


class WorkerPool:
    """`processes` workers started by `start` ("fork" or "forkserver"); `preload` names modules a fork server
    imports once so that its workers start with them loaded; `initializer` runs in each worker at start."""

    def __init__(
        self,
        processes: int,
        start: Literal["fork", "forkserver"],
        preload: Sequence[str] = (),
        initializer: Callable[[], None] | None = None,
    ):
        self.processes = processes
        self.start = start
        self.preload = tuple(preload)
        self.initializer = initializer
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(self.start)
        if self.start == "forkserver" and self.preload:
            # No effect when the server already runs (it lives as long as this process): it is warm from before.
            context.set_forkserver_preload(["__main__", *self.preload])
        return ProcessPoolExecutor(self.processes, mp_context=context, initializer=self.initializer)

    def submit(self, task: Callable[..., Any], *args: Any) -> Future:
        """Run `task(*args)` in a worker under the settings in force here."""
        return self.executor.submit(run_under, settings.current(), task, *args)

    def map(self, task: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """`[task(item) for item in items]` in the workers, in order, under the settings in force here."""
        items = list(items)
        values = settings.current()
        return list(self.executor.map(run_under, [values] * len(items), [task] * len(items), items))

    def restart(self) -> None:
        """Replace the workers (after one died: a pool with a dead worker refuses every task)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=True)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()

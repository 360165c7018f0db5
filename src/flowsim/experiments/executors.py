"""Where runs execute: one interface, three executors.

- :class:`InProcess`: one worker, the runs one after another in this process (no start-up cost;
  used for ``--workers 1``).
- :class:`LocalProcesses`: ``--workers N`` local worker processes (``concurrent.futures`` with
  the ``spawn`` start method, so no worker inherits numba's threads or a lock from this one).
- :class:`DaskExecutor`: a Dask distributed cluster: ``--scheduler local`` starts a
  ``LocalCluster`` of N single-threaded worker processes, ``--scheduler tcp://HOST:PORT`` uses a
  running cluster. A task lost with a dead worker is rescheduled by Dask itself.

Each executor maps a function over tasks and yields results as they complete (in any order).
Each worker sets numba to ``threads`` threads so that workers × threads = cores, and compiles the
kernels at most once: numba's on-disk cache (``cache=True``) is shared by every process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

from flowsim.errors import ScenarioError


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def set_threads(threads: int) -> None:
    """numba threads for the kernels of this process (at most what numba started with)."""
    import numba

    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))


class Executor:
    """Runs ``fn(task)`` for each task; ``imap`` yields the results as they complete."""

    name = "executor"
    workers = 1
    threads = 1

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.workers, "threads_per_worker": self.threads}

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class InProcess(Executor):
    name = "in-process"

    def __init__(self, threads: int | None = None):
        self.threads = threads or cores()

    def imap(self, fn, tasks):
        set_threads(self.threads)
        for task in tasks:
            yield fn(task)


def _init_worker(threads: int) -> None:
    set_threads(threads)


class LocalProcesses(Executor):
    name = "local processes"

    def __init__(self, workers: int, threads: int | None = None):
        self.workers = workers
        self.threads = threads or max(1, cores() // workers)
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("spawn"),
            initializer=_init_worker, initargs=(self.threads,),
        )  # fmt: skip

    def imap(self, fn, tasks):
        # keep a few tasks per worker in flight: results stream back and Ctrl-C stops soon
        tasks = iter(tasks)
        window = 2 * self.workers
        pending = set()
        try:
            for task in tasks:
                pending.add(self._pool.submit(fn, task))
                if len(pending) >= window:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in done:
                        yield f.result()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        finally:
            for f in pending:
                f.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, scheduler: str, workers: int | None = None, threads: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover (a dependency)
            raise ScenarioError("--scheduler: Dask distributed is not installed") from None
        self._cluster = None
        if scheduler == "local":
            self.workers = workers or cores()
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )  # fmt: skip
            self.address = self._cluster.scheduler_address
            self._client = Client(self._cluster)
        else:
            if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
                raise ScenarioError(
                    f"--scheduler {scheduler}: expected 'local' or a scheduler address such as "
                    "tcp://10.0.0.5:8786"
                )
            self.address = scheduler
            try:
                self._client = Client(scheduler, timeout="20s")
            except OSError as e:
                raise ScenarioError(f"--scheduler {scheduler}: cannot connect: {e}") from None
            n = len(self._client.scheduler_info(n_workers=-1).get("workers", {}))
            self.workers = workers or max(n, 1)
        self.threads = threads or 1
        self._client.run(_init_worker, self.threads)

    def imap(self, fn, tasks):
        """Results are awaited inside the client's own event loop and handed over through a
        queue: a result lost with a dead worker before it was fetched is computed again by Dask
        while the await waits (fetching it from this thread instead can hang or fail)."""
        import asyncio
        import queue

        futures = [
            self._client.submit(fn, task, key=f"flowsim-run-{_key(task, k)}", pure=False)
            for k, task in enumerate(tasks)
        ]
        results: queue.Queue = queue.Queue()
        done = object()

        async def one(future):
            try:
                return await future
            except Exception as e:  # noqa: BLE001 - handed to the caller, raised there
                return _Failure(e)
            finally:
                future.release()  # fetched: the cluster may forget it (and not recompute it)

        async def pump():
            for next_result in asyncio.as_completed([one(f) for f in futures]):
                results.put(await next_result)
            results.put(done)

        self._client.loop.add_callback(pump)
        try:
            while (item := results.get()) is not done:
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "scheduler": self.address}

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class _Failure:
    """An exception raised by Dask for a task (e.g. a task whose workers kept dying)."""

    def __init__(self, error: BaseException):
        self.error = error


def _key(task: Any, k: int) -> str:
    return str(getattr(task, "key", k))


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """``--workers N`` (default: every core) or ``--scheduler local|ADDRESS``."""
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers {workers}: allowed: 1 or more")
    if scheduler:
        return DaskExecutor(scheduler, workers)
    n = workers or cores()
    return InProcess() if n == 1 else LocalProcesses(n)

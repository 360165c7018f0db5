"""One run as a task, executed anywhere; many runs through an executor into a store."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flowsim.experiments.executors import Executor
from flowsim.experiments.store import Store, digest
from flowsim.scenario import Scenario

SERIES = "series"  # folder of per-run time series (replicates and comparisons)


@dataclass(frozen=True)
class RunTask:
    """One run: a scenario, overrides on top of it, a seed and a horizon."""

    key: str
    scenario: Scenario
    overrides: dict[str, Any]
    seed: int
    days: int | None
    labels: dict[str, Any] = field(default_factory=dict)  # e.g. {"package": "x"}, factor values
    series: bool = False  # return the run's daily table too
    # a Flee case's observed camps ({"camps", "observed", "split"}): return its ARDs instead of
    # the outcomes (calibration)
    validation: dict[str, Any] | None = None


def scenario_hash(scenario: Scenario) -> str:
    return digest(scenario.to_dict())


def run_key(scenario_digest: str, overrides: dict[str, Any], seed: int, days: int | None) -> str:
    """A run's identity: what it runs and with which seed (not where or when)."""
    return digest({"scenario": scenario_digest, "overrides": overrides, "seed": int(seed),
                   "days": days})[:32]  # fmt: skip


def execute(task: RunTask) -> dict[str, Any]:
    """Run one task; never raises: a failure is a row with status ``failed`` and the error."""
    from flowsim.outcomes import extract
    from flowsim.output import run

    started = time.perf_counter()
    row: dict[str, Any] = {"key": task.key, "seed": int(task.seed), **task.labels}
    try:
        if task.validation is not None:
            values = _ards(task)
        else:
            result = run(task.scenario, days=task.days, seed=task.seed, overrides=task.overrides)
    except Exception as e:  # noqa: BLE001 - any failure of one run is recorded, the rest go on
        row.update(status="failed", error=_one_line(e))
    else:
        if task.validation is not None:
            row.update(status="ok", error=None, **values)
        else:
            row.update(status="ok", error=None, **extract(result.summary))
            if task.series:
                row[SERIES] = slim(result.timeseries)
    row["wall_s"] = time.perf_counter() - started
    row["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return row


def _ards(task: RunTask) -> dict[str, float]:
    """A Flee case's run against its observed camps: ARD and rescaled ARD over all days, the
    first half and the second half of the period."""
    import numpy as np

    from flowsim.model import Model
    from flowsim.validation import ard, camp_counts

    v = task.validation
    model = Model(task.scenario, seed=task.seed, days=task.days, overrides=task.overrides)
    model.run()
    plain, rescaled = ard(camp_counts(model, v["camps"]), v["observed"][: model.day])
    split = v["split"]
    out = {}
    for name, days in (("", slice(None)), ("_first_half", slice(0, split)),
                       ("_second_half", slice(split, None))):  # fmt: skip
        out["ard" + name] = float(np.nanmean(plain[days]))
        out["ard_rescaled" + name] = float(np.nanmean(rescaled[days]))
    return out


def slim(ts: pd.DataFrame) -> pd.DataFrame:
    """A run's daily table as kept for many seeds: without the stock of every status at every
    node (the bulk of it; a single run's ``timeseries.csv`` has them), text columns as
    categories."""
    from flowsim.population import STATUS_NAMES

    keep = ~((ts["scope"] == "node") & ts["variable"].isin(STATUS_NAMES))
    out = ts[keep].reset_index(drop=True)
    for col in ("scope", "id", "variable"):
        out[col] = out[col].astype("category")
    return out


def _one_line(e: BaseException) -> str:
    last = traceback.extract_tb(e.__traceback__)[-1:] if e.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    text = " ".join(str(e).split()) or "(no message)"
    return f"{type(e).__name__}: {text}{where}"


Progress = Callable[[int, int, int], None]  # (done, failed, total)


def run_all(tasks: list[RunTask], store: Store, executor: Executor, *,
            progress: Progress | None = None, chunk_rows: int = 16,
            chunk_seconds: float = 10.0) -> tuple[int, int]:  # fmt: skip
    """Run every task whose key is not in the store yet; rows go to the store in chunks.

    Returns (runs made now, of them failed). An interruption (Ctrl-C, an error of the executor)
    writes the rows received so far before it propagates: nothing finished is lost.
    """
    done_keys = store.keys()
    todo = [t for t in tasks if t.key not in done_keys]
    total = len(tasks)
    done = total - len(todo)
    failed_before = _failed(store) if done else 0
    failed = 0
    buffer: list[dict[str, Any]] = []
    last = time.monotonic()

    def flush() -> None:
        nonlocal buffer, last
        if buffer:
            store.append(buffer)
        buffer, last = [], time.monotonic()

    if progress:
        progress(done, failed_before, total)
    try:
        for row in executor.imap(execute, todo):
            series = row.pop(SERIES, None)
            if series is not None:
                write_series(store.folder, row["key"], series)
            buffer.append(row)
            done += 1
            failed += row["status"] != "ok"
            if len(buffer) >= chunk_rows or time.monotonic() - last >= chunk_seconds:
                flush()
            if progress:
                progress(done, failed_before + failed, total)
    finally:
        flush()
    return len(todo), failed


def _failed(store: Store) -> int:
    frame = store.load()
    return int((frame["status"] != "ok").sum()) if len(frame) else 0


def write_series(folder: Path, key: str, series: pd.DataFrame) -> None:
    import os
    import uuid

    d = folder / SERIES
    d.mkdir(exist_ok=True)
    tmp = d / f".{key}.{uuid.uuid4().hex[:8]}.tmp"
    series.to_parquet(tmp, index=False)
    os.replace(tmp, d / f"{key}.parquet")


def read_series(folder: Path, frame: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """The daily tables of the ok runs in ``frame``, one above the other, with their labels."""
    parts = []
    for row in frame[frame["status"] == "ok"].itertuples(index=False):
        path = folder / SERIES / f"{row.key}.parquet"
        if not path.is_file():
            continue
        ts = pd.read_parquet(path)
        for name in reversed(labels):
            ts.insert(0, name, getattr(row, name))
        parts.append(ts)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    for col in ("scope", "id", "variable", *(n for n in labels if n != "seed")):
        out[col] = out[col].astype("category")
    return out

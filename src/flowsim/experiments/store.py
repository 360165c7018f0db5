"""The run store: one Parquet dataset per experiment, written in chunks, each atomically.

``DIR/store.json`` says what the store holds (its kind, a hash of the experiment's inputs, the
flowsim version, the columns); ``DIR/runs/`` holds ``part-*.parquet`` files, each written to a
hidden temporary name and renamed into place, so a chunk is either whole or absent. Every row is
one run: its key (a hash of the scenario, the overrides, the days and the seed), its labels, its
status (``ok`` or ``failed`` with the error), its wall time and its outcomes. ``pandas.read_parquet
(DIR/runs)`` reads it all. Resuming reads the keys already stored and runs only the others; a
store made from other inputs or another flowsim version is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flowsim.errors import ScenarioError

MANIFEST = "store.json"
RUNS = "runs"
TYPES = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
BASE_COLUMNS = [("key", "string"), ("seed", "int64"), ("status", "string"), ("error", "string"),
                ("wall_s", "float64"), ("finished", "string")]  # fmt: skip


def canonical(obj: Any) -> str:
    """JSON with sorted keys; dates and other objects as strings (stable across runs)."""
    return json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj).encode()).hexdigest()


class Store:
    """A folder holding ``store.json`` and ``runs/``."""

    def __init__(self, folder: Path, manifest: dict[str, Any]):
        self.folder = folder
        self.manifest = manifest
        self.columns: list[tuple[str, str]] = [tuple(c) for c in manifest["columns"]]
        self.schema = pa.schema([(name, TYPES[t]) for name, t in self.columns])
        self._keys: set[str] | None = None

    @property
    def runs_dir(self) -> Path:
        return self.folder / RUNS

    @classmethod
    def open(cls, folder: Path, *, kind: str, inputs_hash: str, columns: list[tuple[str, str]],
             resume: bool, version: str, what: str = "--out") -> Store:  # fmt: skip
        """Create a store in ``folder``, or (with ``resume``) continue the one there.

        Refused in one line: resuming a store of other inputs, kind or version; writing a new
        store where one already is (without ``resume``); a folder that is not a flowsim store.
        """
        folder = Path(folder)
        path = folder / MANIFEST
        names = [c[0] for c in BASE_COLUMNS]
        columns = list(BASE_COLUMNS) + [c for c in columns if c[0] not in names]
        if path.is_file():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise ScenarioError(f"{path}: unreadable store manifest ({e})") from None
            if not resume:
                n = len(cls(folder, old).keys()) if "columns" in old else 0
                raise ScenarioError(
                    f"{what} {folder}: already holds a flowsim {old.get('kind', '')} store with "
                    f"{n} runs; pass --resume to continue it, or choose another folder"
                )
            if old.get("flowsim_version") != version:
                raise ScenarioError(
                    f"{what} {folder}: the store was made by flowsim "
                    f"{old.get('flowsim_version')}, this is {version}; --resume needs the same "
                    "version (start a new folder)"
                )
            if old.get("kind") != kind or old.get("inputs_hash") != inputs_hash:
                raise ScenarioError(
                    f"{what} {folder}: the store was made from a different "
                    f"{old.get('kind', 'experiment')} spec or scenario (inputs hash "
                    f"{str(old.get('inputs_hash'))[:12]}, now {inputs_hash[:12]}); --resume "
                    "continues only the same experiment (start a new folder)"
                )
            store = cls(folder, old)
            store._clean()
            return store
        if folder.exists() and any(folder.iterdir()):
            raise ScenarioError(
                f"{what} {folder}: the folder exists and is not a flowsim store; choose a new "
                "or empty folder"
            )
        manifest = {
            "kind": kind,
            "inputs_hash": inputs_hash,
            "flowsim_version": version,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "columns": [list(c) for c in columns],
        }
        (folder / RUNS).mkdir(parents=True, exist_ok=True)
        _atomic_text(path, json.dumps(manifest, indent=2) + "\n")
        return cls(folder, manifest)

    def _clean(self) -> None:
        """Remove temporary chunks left by a process that was killed while writing one."""
        for p in self.runs_dir.glob(".part-*"):
            p.unlink(missing_ok=True)

    def parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet"))

    def keys(self) -> set[str]:
        """Keys of the runs stored (ok or failed)."""
        if self._keys is None:
            self._keys = set()
            for p in self.parts():
                self._keys.update(pq.read_table(p, columns=["key"]).column("key").to_pylist())
        return self._keys

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Write rows as one chunk, atomically; rows whose key is stored already are dropped."""
        keys = self.keys()
        rows = [r for r in rows if r["key"] not in keys]
        if not rows:
            return
        frame = pd.DataFrame(rows)
        data = {}
        for name, t in self.columns:
            col = frame[name] if name in frame else pd.Series([None] * len(frame))
            if t == "float64":
                col = pd.to_numeric(col, errors="coerce").astype("float64")
            elif t == "int64":
                col = col.astype("int64")
            else:
                col = col.astype(object).where(col.notna(), None)
            data[name] = col.to_numpy()
        table = pa.Table.from_pydict(data, schema=self.schema)
        name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.runs_dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.runs_dir / name)
        keys.update(r["key"] for r in rows)

    def load(self) -> pd.DataFrame:
        """Every stored run, in the order written."""
        parts = self.parts()
        if not parts:
            return pd.DataFrame({name: pd.Series(dtype=_pandas(t)) for name, t in self.columns})
        frame = pq.ParquetDataset(parts, schema=self.schema).read().to_pandas()
        return frame.drop_duplicates("key", keep="first").reset_index(drop=True)


def _pandas(t: str) -> str:
    return {"string": "object", "int64": "int64", "float64": "float64"}[t]


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

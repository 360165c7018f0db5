"""Result folders that never lie: staged writing, provenance, the effective scenario.

A run (or replicates, or a comparison) writes into a new hidden folder next to its target and
swaps it into place only when everything is written: an interrupted run leaves the old folder as
it was (or none), never a mix of two runs. An existing target is replaced only when it holds a
flowsim result; any other folder is refused before anything runs. Hidden folders left by a run
that was killed are removed by the next run into the same place.

Every result folder holds ``provenance.json`` (what made it: the command, the flowsim version,
the scenario file, the overrides, the seeds, the start and end times) and ``scenario.toml`` (the
effective scenario after overrides, which ``flowsim run`` accepts as it is).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flowsim.errors import ScenarioError

PROVENANCE = "provenance.json"
SCENARIO = "scenario.toml"
# files whose presence marks a folder as flowsim's (older versions wrote only summary.json)
MARKERS = (PROVENANCE, "summary.json", "store.json", "validation.json")
STAGING = ".partial-"


def is_result(folder: Path) -> bool:
    return any((folder / m).is_file() for m in MARKERS)


def check_target(out: Path, what: str = "--out") -> None:
    """Refuse, before anything runs, a target that is a file or a folder of something else,
    or a name no folder can have."""
    try:
        exists, is_dir = out.exists(), out.is_dir()
        foreign = is_dir and any(out.iterdir()) and not is_result(out)
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise ScenarioError(f"{what} {_shown(out)}: cannot write there: {reason}") from None
    if exists and not is_dir:
        raise ScenarioError(f"{what} {out}: is a file, not a folder")
    if foreign:
        raise ScenarioError(
            f"{what} {out}: the folder exists and does not hold a flowsim result; flowsim "
            "replaces only its own result folders: choose a new or empty folder"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove staging folders of this target left by processes that no longer run."""
    if not out.parent.is_dir():
        return
    for p in out.parent.glob(f".{out.name}{STAGING}*"):
        try:
            pid = int(p.name.rsplit("-", 2)[-2])
        except (ValueError, IndexError):
            continue
        if not _alive(pid):
            shutil.rmtree(p, ignore_errors=True)


def make_staging(out: Path, what: str = "--out") -> Path:
    """Check the target, create its parent and a fresh hidden staging folder beside it."""
    check_target(out, what)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale(out)
        stage = out.parent / f".{out.name}{STAGING}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        stage.mkdir()
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise ScenarioError(f"{what} {_shown(out)}: cannot write there: {reason}") from None
    return stage


def _shown(path: Path) -> str:
    """A path for a one-line message (a very long one is cut, odd characters escaped)."""
    text = repr(str(path))[1:-1]
    return text if len(text) <= 120 else text[:60] + "..." + text[-40:]


@contextlib.contextmanager
def staged(out: Path, what: str = "--out", stage: Path | None = None) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``out``, on failure it is removed."""
    stage = stage or make_staging(out, what)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    swap(stage, out)


def swap(stage: Path, out: Path) -> None:
    """Move the finished staging folder into place, replacing an older flowsim result."""
    old = None
    if out.exists():
        check_target(out)
        old = out.parent / f".{out.name}{STAGING}{os.getpid()}-old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def command_line() -> str:
    """How this process was started, as a user would type it."""
    argv = list(sys.argv)
    if not argv or not argv[0]:
        return "python"
    prog = Path(argv[0]).name
    if prog in ("flowsim", "__main__.py"):
        return " ".join(["flowsim", *argv[1:]])
    return " ".join(["python", *argv])


def provenance(kind: str, *, scenario: Any = None, seeds: list[int] | None = None,
               days: int | None = None, overrides: Any = None, started: dt.datetime,
               **extra: Any) -> dict[str, Any]:  # fmt: skip
    from flowsim import __version__

    return {
        "kind": kind,
        "flowsim_version": __version__,
        "command": command_line(),
        "started": started.isoformat(timespec="seconds"),
        "finished": now().isoformat(timespec="seconds"),
        "scenario": getattr(scenario, "source", None),
        "scenario_name": scenario.simulation.name if scenario is not None else None,
        "days": days,
        "seeds": seeds,
        "overrides": _plain(overrides),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        **extra,
    }


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _plain(overrides: Any) -> Any:
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return {k: _jsonable(v) for k, v in overrides.items()}
    return list(overrides)


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v)
        return v
    except TypeError:
        return str(v) if not isinstance(v, list | dict) else json.loads(json.dumps(v, default=str))


def write_provenance(folder: Path, record: dict[str, Any]) -> None:
    from flowsim.output import atomic_write

    text = json.dumps(record, indent=2, default=str) + "\n"
    atomic_write(folder / PROVENANCE, lambda p: p.write_text(text, encoding="utf-8"))


def scenario_toml(scenario: Any) -> str:
    """The effective scenario as a TOML file that loads back to the same scenario."""
    import tomli_w

    head = (f"# The effective scenario of this result (after overrides), from {scenario.source}.\n"
            "# `flowsim run scenario.toml` runs it again.\n\n")  # fmt: skip
    return head + tomli_w.dumps(scenario.to_dict())


def write_scenario(folder: Path, scenario: Any, name: str = SCENARIO) -> None:
    from flowsim.output import atomic_write

    text = scenario_toml(scenario)
    atomic_write(folder / name, lambda p: p.write_text(text, encoding="utf-8"))

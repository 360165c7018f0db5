"""Helpers shared by test files (pytest puts this folder on the import path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_flowsim(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m flowsim ARGS`` in ``cwd``, with wide tables so names and numbers never wrap."""
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "flowsim", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

"""Policy packages: TOML fragments with the keys of a scenario file, holding what they change.

A package is applied to the base scenario value by value, like ``--set``: a table merges into
the scenario's table (``[policy.rescue] capacity = { libyan_sar = 20 }`` changes the Libyan zone
and keeps the others; a lever that was one number keeps it as the default for the ids not
named), a number, a timeline or a list replaces the value, and ``[[nodes]]``, ``[[edges]]``,
``[[profiles]]`` and ``[[boat_types]]`` entries change the entry with their ``id`` (an edge
without one is ``from-to``). ``[simulation]`` is not a package's to change: the comparison sets
the days and the seeds for every package alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flowsim.errors import ScenarioError
from flowsim.scenario import Scenario, check_path, known_paths, read_toml, validate

ID_LISTS = ("nodes", "edges", "profiles", "boat_types")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def read_package(path: Path) -> dict[str, Any]:
    """The TOML fragment of a package file."""
    return read_toml(path)


def flatten(data: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """{dotted path: value} of a fragment: tables are walked, entries of id lists by id."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path == "simulation":
            raise ScenarioError(
                f"{source}: simulation: a package cannot change [simulation]; the comparison "
                "sets days and seeds for every package (use --days, --seeds)"
            )
        if isinstance(value, dict):
            if not value:
                raise ScenarioError(f"{source}: {path}: an empty table changes nothing")
            out.update(flatten(value, source, f"{path}."))
        elif path in ID_LISTS:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ScenarioError(f"{source}: {path}: expected [[{path}]] tables with an id")
            for k, entry in enumerate(value):
                ident = entry.get("id")
                if ident is None and path == "edges" and "from" in entry and "to" in entry:
                    ident = f"{entry['from']}-{entry['to']}"
                if ident is None:
                    raise ScenarioError(
                        f"{source}: {path}[{k}]: needs an id naming the entry of the scenario "
                        "it changes"
                    )
                rest = {f: v for f, v in entry.items() if f not in ("id", "from", "to")}
                if not rest:
                    raise ScenarioError(f"{source}: {path}.{ident}: names no field to change")
                out.update(flatten(rest, source, f"{path}.{ident}."))
        else:
            out[path] = value
    return out


def package_overrides(fragment: dict[str, Any], base: Scenario, source: str) -> dict[str, Any]:
    """The overrides of a package, checked against the base scenario: every path must name a
    value of the scenario (did-you-mean otherwise), and the changed scenario must validate."""
    overrides = flatten(fragment, source)
    if not overrides:
        raise ScenarioError(f"{source}: the package changes nothing (an empty file)")
    known = known_paths(base)
    for path in overrides:
        check_path(path, known, source, field=path)
    validate(base.to_dict(), source=source, overrides=overrides, label="")
    return overrides


def parse_package_option(text: str) -> tuple[str, Path]:
    """``NAME=FILE.toml`` of ``--package``."""
    name, sep, file = text.partition("=")
    name, file = name.strip(), file.strip()
    if not sep or not name or not file:
        raise ScenarioError(f"--package {text}: expected NAME=FILE.toml, e.g. rescue=rescue.toml")
    if not NAME.match(name) or name == "base":
        raise ScenarioError(
            f"--package {text}: the name '{name}' must be letters, digits, '_', '-' or '.', and "
            "not 'base' (the scenario itself)"
        )
    path = Path(file)
    if not path.is_file():
        raise ScenarioError(f"--package {text}: {file}: no such file")
    return name, path

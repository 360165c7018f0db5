"""docs/MODEL.md says what the code does: its tables of parameters (§6.5) and levers (§6.6) name
every key the code has, no other, with the code's defaults, units, ranges and keys."""

from __future__ import annotations

import math
import re

import pytest
from helpers import REPO

from flowsim.levers import lever_specs
from flowsim.scenario import Behaviour

MODEL_MD = (REPO / "docs" / "MODEL.md").read_text()


def section(heading: str) -> str:
    """The text of the section of docs/MODEL.md with this heading, up to the next one of its
    level."""
    level = heading.split()[0]
    start = MODEL_MD.index(f"\n{heading}")
    end = MODEL_MD.find(f"\n{level} ", start + 1)
    return MODEL_MD[start : end if end > 0 else None]


def table_rows(text: str) -> dict[str, list[str]]:
    """The rows of the tables in ``text`` whose first cell is a dotted key, by key: their other
    cells, stripped."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| `([a-z_]+\.[a-z_.]+)` \|(.*)\|\s*$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} has two rows"
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def number(text: str) -> float:
    """A number as the tables write it: 0.5, 1/365, 1,000, `inf`."""
    text = text.strip("` ").replace(",", "")
    if text == "inf":
        return math.inf
    if "/" in text:
        a, b = text.split("/")
        return float(a) / float(b)
    return float(text)


def documented_default(cell: str):
    """The default a table cell gives: its text before any parenthesis (``14 (int ≥ 0)``)."""
    head = cell.split(" (")[0].strip()
    if head.startswith("unset"):
        return None
    if head in ("true", "false"):
        return head == "true"
    if "×" in head:  # "12 × 1.0"
        count, value = head.split("×")
        return [number(value)] * int(count)
    return number(head)


def behaviour_defaults() -> dict[str, object]:
    """``section.name`` -> default, for every parameter of ``[behaviour]``."""
    out = {}
    for section, field in Behaviour.model_fields.items():
        for name, param in field.annotation.model_fields.items():
            default = param.default_factory() if param.default_factory else param.default
            out[f"{section}.{name}"] = default
    return out


def test_the_parameter_table_has_every_parameter_and_its_default():
    documented = table_rows(section("### 6.5"))
    code = behaviour_defaults()
    assert sorted(documented) == sorted(code)
    for key, default in code.items():
        said = documented_default(documented[key][0])
        if isinstance(default, list):
            assert said == pytest.approx(default), key
        elif default is None or isinstance(default, bool):
            assert said is default, key
        else:
            assert said == pytest.approx(default, rel=1e-12), key


def plain(text: str) -> str:
    """Text compared without its formatting: backticks and commas dropped, "per" read as "a"."""
    text = text.replace("`", "").replace(",", "")
    return re.sub(r"\bper (day|year)\b", r"a \1", text)


def written(x: float) -> str:
    return plain(f"{x:,g}")


def test_the_lever_tables_have_every_lever_with_its_unit_range_default_and_keys():
    rows = table_rows(section("### 6.6"))
    specs = {s["path"]: s for s in lever_specs()}
    assert sorted(rows) == sorted(specs)
    for path, spec in specs.items():
        unit, default, keyed_by = rows[path][:3]
        if spec.get("kind") in ("campaigns", "rules"):
            assert default.startswith("`[]`"), path
            continue
        # keys: the table's cell starts with what the code keys the lever by
        assert plain(keyed_by).startswith(plain(spec["keyed_by"])), path
        # unit and range: the code's unit (a choice lever: every choice by name), its bounds,
        # and whether it takes inf
        lo, hi = spec["range"]
        if spec["choices"]:
            assert all(f'`"{c}"`' in unit for c in spec["choices"]), path
        else:
            assert plain(unit).startswith(plain(spec["unit"])), (path, unit, spec["unit"])
            assert written(lo) in plain(unit), path
            assert (f"≥ {written(lo)}" if hi == math.inf else written(hi)) in plain(unit), path
        assert ("`inf`" in unit) == spec["allow_inf"], path
        # default: a number, a choice's name, or the text of a per-id default
        if spec["default"] is None:
            assert plain(default) == plain(spec["default_text"]), path
        elif spec["choices"]:
            assert default == f'`"{spec["choices"][int(spec["default"])]}"`', path
        else:
            assert documented_default(default) == spec["default"], path

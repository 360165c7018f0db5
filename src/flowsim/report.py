"""``flowsim report RESULT_DIR``: one self-contained HTML brief for any result folder.

The report reads a result folder (one run, replicates, a comparison, a sweep or a sensitivity
study), draws its charts again from the data (so a folder written with ``--no-charts`` still
gets them), and renders the Jinja2 template ``templates/report.html.j2`` into one HTML file with
the images inline (no network when it is opened; it prints to PDF from a browser). Every file
the report needs is checked first: a missing or broken one is one line naming it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flowsim.errors import ScenarioError

KINDS = ("run", "replicates", "comparison", "sweep", "sensitivity")
NEEDS = {
    "run": ["summary.json", "timeseries.csv", "scenario.toml"],
    "replicates": ["summary.json", "runs.parquet", "timeseries.parquet", "scenario.toml"],
    "comparison": ["comparison.json", "comparison.parquet", "timeseries.parquet",
                   "scenario.toml"],
    "sweep": ["sweep.json", "samples.parquet", "scenario.toml"],
    "sensitivity": ["indices.json", "indices.parquet", "samples.parquet", "scenario.toml"],
}  # fmt: skip


@dataclass
class Folder:
    """A result folder, its kind and its files, each read (and checked) once."""

    path: Path
    kind: str = ""
    cache: dict[str, Any] = field(default_factory=dict)

    def file(self, name: str) -> Path:
        p = self.path / name
        if not p.is_file():
            raise ScenarioError(f"{p}: missing; a {self.kind} result folder holds "
                                f"{', '.join(NEEDS[self.kind])}")  # fmt: skip
        return p

    def json(self, name: str) -> dict:
        if name not in self.cache:
            p = self.file(name)
            try:
                self.cache[name] = json.loads(p.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError, OSError) as e:
                raise ScenarioError(f"{p}: not readable JSON ({_short(e)})") from None
            if not isinstance(self.cache[name], dict):
                raise ScenarioError(f"{p}: not a flowsim result (expected a JSON object)")
        return self.cache[name]

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.cache:
            p = self.file(name)
            try:
                self.cache[name] = pd.read_csv(p) if p.suffix == ".csv" else pd.read_parquet(p)
            except Exception as e:  # noqa: BLE001 - any reader error is a broken file
                raise ScenarioError(f"{p}: not a readable table ({_short(e)})") from None
        return self.cache[name]

    def scenario(self):
        if "scenario" not in self.cache:
            from flowsim.scenario import load_scenario

            p = self.file("scenario.toml")
            try:
                self.cache["scenario"] = load_scenario(p)
            except ScenarioError as e:
                raise ScenarioError(f"{p}: broken: {str(e).splitlines()[0]}") from None
        return self.cache["scenario"]


def _short(e: Exception) -> str:
    return " ".join(str(e).split())[:160] or type(e).__name__


def detect(path: Path) -> Folder:
    """The kind of result in ``path`` (from provenance.json, else from its files)."""
    if not path.is_dir():
        raise ScenarioError(f"{path}: no such result folder")
    folder = Folder(path)
    kind = None
    prov = path / "provenance.json"
    if prov.is_file():
        kind = folder.json("provenance.json").get("kind")
    if kind not in KINDS:
        for k, marker in (("comparison", "comparison.json"), ("sensitivity", "indices.json"),
                          ("sweep", "sweep.json"), ("run", "summary.json")):  # fmt: skip
            if (path / marker).is_file():
                kind = k
                break
    if kind == "run" and "replicates" in folder.json("summary.json"):
        kind = "replicates"
    if kind not in KINDS:
        raise ScenarioError(
            f"{path}: not a flowsim result folder (no summary.json, comparison.json, "
            "sweep.json or indices.json); give the folder a flowsim command wrote"
        )
    folder.kind = kind
    for name in NEEDS[kind]:
        folder.file(name)
    return folder


def image(fig, dpi: int) -> str:
    """A figure as an inline PNG (data URI); the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def build(folder: Folder, dpi: int = 100) -> dict[str, Any]:
    """Everything the template shows, for any kind of result."""
    from flowsim.charts import CHARTS, ChartData, applicable

    kind = folder.kind
    scenario = folder.scenario()
    prov = folder.json("provenance.json") if (folder.path / "provenance.json").is_file() else {}
    ctx: dict[str, Any] = {
        "kind": kind, "scenario": scenario.simulation.name,
        "description": scenario.simulation.description, "provenance": prov,
        "persons_per_agent": scenario.simulation.persons_per_agent, "figures": [],
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }  # fmt: skip
    chart_data = None
    if kind == "run":
        s = folder.json("summary.json")
        ctx.update(question=_question_run(s, prov), headline=_headline_run(s))
        chart_data = ChartData(scenario, folder.table("timeseries.csv"), f"seed {s.get('seed')}")
    elif kind == "replicates":
        s = folder.json("summary.json")
        ctx.update(question=_question_replicates(s, prov), headline=_headline_replicates(s))
        ts = folder.table("timeseries.parquet")
        chart_data = ChartData(scenario, ts, f"{ts['seed'].nunique()} seeds")
    elif kind == "comparison":
        c = folder.json("comparison.json")
        ctx.update(_comparison(folder, c, dpi))
        ts = folder.table("timeseries.parquet")
        base = ts[ts["package"] == c.get("base", "base")].drop(columns="package")
        chart_data = ChartData(scenario, base, f"package '{c.get('base', 'base')}', "
                                               f"{base['seed'].nunique()} seeds")  # fmt: skip
    elif kind in ("sweep", "sensitivity"):
        ctx.update(_study(folder, kind, dpi))
    if chart_data is not None and len(chart_data.ts):
        for name in applicable(chart_data):
            draw, caption = CHARTS[name]
            ctx["figures"].append({"name": name, "caption": caption,
                                   "src": image(draw(chart_data), dpi)})  # fmt: skip
    ctx["assumptions"] = assumptions(scenario, prov.get("scenario"))
    return ctx


# -- the parts of the brief -------------------------------------------------------------------


def _fmt(value, unit: str, diff: bool = False) -> str:
    """A value for a table; a difference of shares is in percentage points ("pp")."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if unit.startswith("share"):
        sign = "+" if diff and value > 0 else ""
        text = f"{100 * value:.2f}" if abs(value) < 0.1 else f"{100 * value:.1f}"
        return f"{sign}{text} pp" if diff else f"{text}%"
    if abs(value) >= 100 or unit in ("persons", "times", "person-days"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _question_run(s: dict, prov: dict) -> dict:
    return {
        "what": "one run",
        "horizon": f"{s.get('start_date')} to {s.get('end_date')} ({s.get('days')} days)",
        "seeds": str(s.get("seed")),
        "overrides": prov.get("overrides") or [],
        "packages": [],
        "caveat": "One run is one draw of chance: sea deaths differ several-fold between seeds. "
        "Use replicates (flowsim run --seeds) before drawing conclusions.",
    }


def _headline_run(s: dict) -> list[dict]:
    from flowsim.outcomes import HEADLINE, describe, extract

    values = extract(s, HEADLINE)
    return [{"path": p, "meaning": describe(p).meaning, "value": _fmt(values[p], describe(p).unit),
             "unit": _unit(describe(p).unit), "interval": "", "range": ""} for p in HEADLINE]  # fmt: skip


def _unit(unit: str) -> str:
    return "%" if unit.startswith("share") else unit


def _seeds_text(seeds: list) -> str:
    if not seeds:
        return "–"
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{len(seeds)} ({seeds[0]} to {seeds[-1]})"
    return f"{len(seeds)} ({', '.join(map(str, seeds[:12]))}{', ...' if len(seeds) > 12 else ''})"


def _question_replicates(s: dict, prov: dict) -> dict:
    return {
        "what": "replicates: the same scenario over many seeds",
        "horizon": f"{s.get('start_date')} to {s.get('end_date')} ({s.get('days')} days)",
        "seeds": _seeds_text(s.get("seeds", [])),
        "overrides": prov.get("overrides") or [],
        "packages": [],
        "caveat": "Intervals are 95% intervals of the mean over seeds (Student's t): how well the "
        "seeds pin down the model's expected outcome, not how much one year varies (that is the "
        "seed-to-seed range).",
    }


def _headline_replicates(s: dict) -> list[dict]:
    from flowsim.outcomes import describe

    rows = []
    for p in s.get("headline", []):
        r = s.get("replicates", {}).get(p)
        if not r:
            continue
        u = describe(p).unit
        ci = r.get("ci95")
        rows.append({"path": p, "meaning": describe(p).meaning, "value": _fmt(r.get("mean"), u),
                     "unit": _unit(u),
                     "interval": f"{_fmt(ci[0], u)} to {_fmt(ci[1], u)}" if ci else "–",
                     "range": f"{_fmt(r.get('min'), u)} to {_fmt(r.get('max'), u)}"})  # fmt: skip
    return rows


def _comparison(folder: Folder, c: dict, dpi: int) -> dict:
    from flowsim.experiments.charts import comparison_figure, series_figure
    from flowsim.outcomes import describe

    packages = c.get("packages", {})
    names = list(packages)
    outcomes = c.get("outcomes", [])
    rows = []
    for o in outcomes:
        u = describe(o).unit
        cells = []
        for n in names[1:]:
            e = packages[n]["outcomes"].get(o, {})
            ci = e.get("ci95") or [None, None]
            diff = e.get("diff")
            better = describe(o).better
            verdict = ""
            if e.get("excludes_zero"):
                good = (better == "lower" and diff < 0) or (better == "higher" and diff > 0)
                verdict = "neither" if better == "neither" else "better" if good else "worse"
            sign = "+" if diff is not None and diff > 0 and not u.startswith("share") else ""
            cells.append({"diff": f"{sign}{_fmt(diff, u, diff=True)}",
                          "ci": f"{_fmt(ci[0], u, True)} to {_fmt(ci[1], u, True)}",
                          "verdict": verdict})  # fmt: skip
        base = packages[names[0]]["outcomes"].get(o, {}) if names else {}
        rows.append({"path": o, "meaning": describe(o).meaning, "unit": _unit(u),
                     "base": _fmt(base.get("mean"), u), "cells": cells})  # fmt: skip
    table = _comparison_frame(c)
    figures = []
    if len(names) > 1:
        figures.append({"name": "comparison", "caption": "Difference from the base, with 95% "
                        "intervals", "src": image(comparison_figure(table, c.get("scenario", "")),
                                                  dpi)})  # fmt: skip
    ts = folder.table("timeseries.parquet")
    if len(ts):
        figures.append({"name": "series", "caption": "The packages over time",
                        "src": image(series_figure(ts, folder.scenario(), c.get("scenario", "")),
                                     dpi)})  # fmt: skip
    pkgs = [{"name": n, "file": packages[n].get("file"),
             "changes": _overrides_text(packages[n].get("overrides", {}))} for n in names]  # fmt: skip
    prov = folder.json("provenance.json") if (folder.path / "provenance.json").is_file() else {}
    return {
        "question": {
            "what": f"a paired comparison of {len(names) - 1} package(s) with the base scenario",
            "horizon": f"{c.get('days')} days",
            "seeds": _seeds_text(c.get("seeds", [])),
            "overrides": prov.get("overrides") or [],
            "packages": pkgs,
            "caveat": "Every package ran on the same seeds as the base (common random numbers); "
            "a difference is paired seed by seed, with its 95% interval. An interval that "
            "excludes 0 is marked better or worse; with many outcomes, some will by chance.",
        },
        "comparison": {"packages": names[1:], "rows": rows},
        "comparison_figures": figures,
    }


def _comparison_frame(c: dict) -> pd.DataFrame:
    rows = []
    for name, p in c.get("packages", {}).items():
        for o, e in p.get("outcomes", {}).items():
            ci = e.get("ci95") or [None, None]
            rows.append({"package": name, "outcome": o, "diff": _num(e.get("diff")),
                         "lo": _num(ci[0]), "hi": _num(ci[1])})  # fmt: skip
    return pd.DataFrame(rows)


def _num(x) -> float:
    return float("nan") if x is None else float(x)


def _overrides_text(overrides: dict) -> list[str]:
    return [f"{k} = {json.dumps(v, default=str)}" for k, v in overrides.items()]


def _study(folder: Folder, kind: str, dpi: int) -> dict:
    from flowsim.experiments.charts import sensitivity_figure, sweep_figure
    from flowsim.outcomes import describe

    data = folder.json("sweep.json" if kind == "sweep" else "indices.json")
    factors = data.get("factors", {})
    ranges = []
    for o, r in data.get("outcome_ranges", {}).items():
        u = describe(o).unit
        ranges.append({"path": o, "meaning": describe(o).meaning, "unit": _unit(u),
                       "low": _fmt(r.get("min"), u), "mean": _fmt(r.get("mean"), u),
                       "high": _fmt(r.get("max"), u)})  # fmt: skip
    figures, rankings = [], []
    samples = folder.table("samples.parquet")
    if kind == "sweep":
        for o in data.get("outcomes", []):
            if o in samples:
                figures.append({"name": f"sweep {o}", "caption": describe(o).meaning,
                                "src": image(sweep_figure(samples, list(factors), o,
                                                          data.get("scenario", "")), dpi)})  # fmt: skip
    else:
        indices = folder.table("indices.parquet")
        method = data.get("method", "morris")
        key = "mu_star" if method == "morris" else "ST"
        for o in data.get("outcomes", []):
            part = indices[(indices["outcome"] == o) & (indices["index"] == key)]
            if part.empty:
                continue
            rankings.append({"outcome": o, "meaning": describe(o).meaning, "index": key,
                             "rows": [{"rank": int(r.rank), "factor": r.factor,
                                       "value": f"{r.value:.4g}",
                                       "conf": "" if r.conf != r.conf else f"± {r.conf:.3g}"}
                                      for r in part.sort_values("rank").itertuples()]})  # fmt: skip
            figures.append({"name": f"sensitivity {o}", "caption": f"What drives {o}",
                            "src": image(sensitivity_figure(indices, o, method,
                                                            data.get("scenario", "")), dpi)})  # fmt: skip
    runs = data.get("runs", {})
    return {
        "question": {
            "what": (
                f"a {data.get('design')} sweep"
                if kind == "sweep"
                else f"a {data.get('method')} sensitivity study"
            )
            + f" of {len(factors)} "
            f"factors, {data.get('samples')} samples",
            "horizon": f"{data.get('days')} days",
            "seeds": _seeds_text(data.get("seeds", [])),
            "overrides": [],
            "packages": [],
            "factors": [
                {
                    "path": f,
                    "range": (
                        ", ".join(map(str, v["values"]))
                        if "values" in v
                        else f"{v.get('min')} to {v.get('max')}"
                    ),
                }
                for f, v in factors.items()
            ],
            "caveat": f"{runs.get('ok', 0)} runs ok, {runs.get('failed', 0)} failed. Each "
            "sample's outcome is its mean over its seeds; the model's own randomness adds to "
            "what looks like a factor's effect.",
        },  # fmt: skip
        "ranges": ranges,
        "rankings": rankings,
        "study_figures": figures,
        "warnings": data.get("warnings", []),
    }


# -- assumptions ------------------------------------------------------------------------------

COMMENT = re.compile(r"#\s*(.*)$")


def annotations(path: Path) -> dict[str, str]:
    """{dotted path: comment} from a scenario file's end-of-line comments (``[table]`` headers
    and ``[[nodes]]`` entries by id are followed): where each number says it comes from."""
    out: dict[str, str] = {}
    table, array, ident = "", "", None
    pending_key = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        m = re.match(r"^\[\[([\w.]+)\]\]", line)
        if m:
            array, table, ident, pending_key = m[1], "", None, None
            continue
        m = re.match(r"^\[([\w.\"]+)\]", line)
        if m:
            table, pending_key = m[1].replace('"', ""), None
            if array and not table.startswith(array):
                array, ident = "", None
            continue
        comment = _comment(raw)
        m = re.match(r"^([\w\"@.\-]+)\s*=", line)
        if m:
            key = m[1].strip('"')
            if array and key == "id":
                ident = re.search(r"=\s*\"([^\"]+)\"", line)
                ident = ident[1] if ident else None
            prefix = f"{array}.{ident}." if array and ident else f"{array}." if array else ""
            if table:
                prefix = f"{table}." if not array else f"{array}.{ident}.{table[len(array) + 1 :]}."
            pending_key = prefix + key
            if comment:
                out[pending_key] = comment
            continue
        if comment and pending_key and raw.startswith((" ", "\t")):
            out[pending_key] = (out.get(pending_key, "") + " " + comment).strip()
    return out


def _comment(raw: str) -> str:
    in_str = False
    for i, ch in enumerate(raw):
        if ch == '"':
            in_str = not in_str
        elif ch == "#" and not in_str:
            return raw[i + 1 :].strip()
    return ""


def _choice_names(value, choices: tuple[str, ...]) -> str:
    """A choice lever shown with its names ("irregular"), not the codes it is stored as."""

    def name(v):
        if isinstance(v, dict):
            return {k: name(x) for k, x in v.items()}
        if isinstance(v, list):
            return [[d, name(x)] for d, x in v]
        return choices[int(v)] if isinstance(v, int | float) and 0 <= v < len(choices) else v

    return json.dumps(name(value), default=str)


def classify(comment: str) -> str:
    text = comment.lower()
    if "assumption" in text:
        return "assumption"
    if "seeds/" in text:
        return "sourced"
    return "not stated"


def assumptions(scenario, source: str | None) -> dict:
    """The levers as set in the scenario, and the behaviour parameters it changes, each with its
    source: a seed line, or an assumption (from the scenario file's comments where they say)."""
    from flowsim.levers import _get, lever_specs
    from flowsim.scenario import Behaviour

    notes: dict[str, str] = {}
    if source and Path(source).is_file() and Path(source).suffix == ".toml":
        try:
            notes = annotations(Path(source))
        except (OSError, UnicodeDecodeError):
            notes = {}
    levers = []
    for spec in lever_specs():
        if spec.get("kind") == "campaigns":
            value = scenario.policy.information.campaigns
            shown = f"{len(value)} campaign(s)" if value else "none"
            default = not value
        else:
            value = _get(scenario.policy, spec["path"])
            default = value == spec["default"] or (value is None and spec["default"] is None)
            shown = json.dumps(value, default=str) if value is not None else \
                spec.get("default_text") or "–"  # fmt: skip
        if default:
            continue
        if spec.get("choices"):
            shown = _choice_names(value, spec["choices"])
        note = notes.get(spec["path"], "")
        levers.append({"path": spec["path"], "value": shown[:160],
                       "status": classify(note) if note else "not stated",
                       "note": note or spec["source"]})  # fmt: skip
    params = []
    defaults = Behaviour()
    for section, _ in Behaviour.model_fields.items():
        now, base = getattr(scenario.behaviour, section), getattr(defaults, section)
        for name in type(now).model_fields:
            v, d = getattr(now, name), getattr(base, name)
            if v != d:
                note = notes.get(f"behaviour.{section}.{name}", "")
                params.append({"path": f"behaviour.{section}.{name}", "value": str(v)[:80],
                               "default": str(d)[:80],
                               "status": classify(note) if note else "not stated",
                               "note": note})  # fmt: skip
    counts = {k: sum(1 for r in levers + params if r["status"] == k)
              for k in ("sourced", "assumption", "not stated")}  # fmt: skip
    return {"levers": levers, "params": params, "counts": counts, "from_file": bool(notes)}


# -- writing ----------------------------------------------------------------------------------


def render(ctx: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("flowsim", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))  # fmt: skip
    return env.get_template("report.html.j2").render(**ctx)


def write_report(path: Path, out: Path | None = None, dpi: int = 100) -> Path:
    """Build the report of the result folder ``path``; write it to ``out`` (default
    ``path/report.html``)."""
    from flowsim.output import atomic_write

    folder = detect(Path(path))
    out = Path(out) if out is not None else folder.path / "report.html"
    if out.exists() and out.is_dir():
        raise ScenarioError(f"-o {out}: is a folder; give a file name such as report.html")
    if not out.parent.is_dir():
        raise ScenarioError(f"-o {out}: the folder {out.parent} does not exist")
    html = render(build(folder, dpi))
    try:
        atomic_write(out, lambda p: p.write_text(html, encoding="utf-8"))
    except OSError as e:
        raise ScenarioError(f"-o {out}: cannot write there: {e.strerror or e}") from None
    return out

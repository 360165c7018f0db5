"""Command line: ``flowsim run``, ``levers``, ``list``, ``import-flee``, ``validate-flee``."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from flowsim.errors import ScenarioError
from flowsim.scenario import DEFAULT_SCENARIO, MAX_DAYS, bundled_scenarios, load_scenario

PROGRESS_MIN_DAYS = 60  # shorter runs finish before a bar would help


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowsim")
def cli() -> None:
    """flowsim: agent-based simulation of mixed migration flows."""


def _workers_options(f):
    f = click.option(
        "--scheduler", metavar="local|ADDRESS",
        help="Run on Dask: 'local' starts a LocalCluster of --workers processes; an address "
        "(tcp://host:8786) uses a running Dask cluster.",
    )(f)  # fmt: skip
    return click.option(
        "--workers", type=click.IntRange(min=1),
        help="Local worker processes (default: one per core, at most one per run).",
    )(f)  # fmt: skip


def _set_option(f):
    return click.option(
        "--set", "overrides", multiple=True, metavar="PATH=VALUE",
        help="Override a scenario value, e.g. --set simulation.days=30 "
        "--set nodes.tripoli.capacity=500 (repeatable).",
    )(f)  # fmt: skip


def _inflow_option(f):
    return click.option(
        "--inflow", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
        help="Flee folders: new people from FILE instead of the validation camp counts' rises: "
        "day,new_arrivals or date,new_arrivals (people arriving that day), or date,total (a "
        "cumulative count, like Flee's refugees.csv).",
    )(f)  # fmt: skip


@cli.command("run")
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--days", type=click.IntRange(1, MAX_DAYS), help="Days to simulate (default: scenario's)."
)
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: scenario's).")
@click.option(
    "--seeds", metavar="N|A-B|LIST",
    help="Replicates: run seeds 1..N (or A-B, or 3,7,9) and report each outcome's mean and 95% "
    "interval.",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: results/<scenario name>).",
)  # fmt: skip
@_set_option
@_inflow_option
@click.option("--charts/--no-charts", default=True, help="Write charts (default: yes).")
@click.option("--dpi", type=click.IntRange(30, 600), default=120, show_default=True,
              help="Resolution of the PNG charts.")  # fmt: skip
@click.option(
    "--progress/--no-progress", default=None,
    help="Show a progress bar (default: on long runs in a terminal).",
)  # fmt: skip
@_workers_options
def run_command(scenario, days, seed, seeds, out, overrides, inflow, charts, dpi, progress,
                workers, scheduler) -> None:  # fmt: skip
    """Run SCENARIO (a .toml path, a Flee input folder, or a bundled name; default: the
    bundled default); with --seeds, run it over many seeds."""
    from flowsim.check import require_memory
    from flowsim.output import run
    from flowsim.resultdir import make_staging

    if inflow is not None:
        from flowsim.flee import load_flee_folder

        spec = load_flee_folder(scenario, inflow=inflow, overrides=list(overrides))
    else:
        spec = load_scenario(scenario, overrides=list(overrides))
    _warn(spec.warnings)
    out = out or Path("results") / spec.simulation.name
    existed = _exists(out)
    if seeds is not None:
        if seed is not None:
            raise click.UsageError("--seed and --seeds: give one (--seeds runs several seeds)")
        _replicates(spec, seeds, days, list(overrides), out, charts, dpi, progress, workers,
                    scheduler)  # fmt: skip
        _written(out, existed)
        return
    if workers is not None or scheduler is not None:
        raise click.UsageError("--workers and --scheduler go with --seeds (one run uses one "
                               "process)")  # fmt: skip
    total = days or spec.simulation.days
    show = progress if progress is not None else (total >= PROGRESS_MIN_DAYS and _tty())
    require_memory(spec, days)
    stage = make_staging(out)  # fails now, not after the run, if out cannot be written
    err = Console(stderr=True)
    try:
        if show:
            columns = (
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("days"), TimeRemainingColumn(),
            )  # fmt: skip
            with Progress(*columns, console=err, transient=True) as bar:
                task = bar.add_task(spec.simulation.name, total=total)
                result = run(spec, days=days, seed=seed,
                             progress=lambda d: bar.update(task, completed=d))  # fmt: skip
        else:
            result = run(spec, days=days, seed=seed)
        result.write_to(out, charts=charts, stage=stage, overrides=list(overrides), dpi=dpi)
    except BaseException:
        import shutil

        shutil.rmtree(stage, ignore_errors=True)
        raise
    print_summary(result.summary, Console())
    _written(out, existed)


def _exists(path: Path) -> bool:
    """Whether a result is there already (a name no folder can have is checked later)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _written(out: Path, existed: bool) -> None:
    note = " (replacing the earlier result there)" if existed else ""
    Console().print(f"Results written to [bold]{out}[/bold]{note}")


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        click.echo(f"flowsim: warning: {w}", err=True)


def _run_progress(label: str, show: bool | None):
    """A progress bar over runs (done, failed, time left), or None."""
    import contextlib

    if not (show if show is not None else _tty()):
        return contextlib.nullcontext(None)

    class Bar:
        def __enter__(self):
            columns = (
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("runs, {task.fields[failed]} failed"), TimeRemainingColumn(),
            )  # fmt: skip
            self.progress = Progress(*columns, console=Console(stderr=True), transient=True)
            self.progress.__enter__()
            self.task = self.progress.add_task(label, total=None, failed=0)
            return self

        def __call__(self, done: int, failed: int, total: int) -> None:
            self.progress.update(self.task, completed=done, total=total, failed=failed)

        def __exit__(self, *exc):
            return self.progress.__exit__(*exc)

    return Bar()


def _replicates(spec, seeds, days, overrides, out, charts, dpi, progress, workers,
                scheduler) -> None:  # fmt: skip
    from flowsim.experiments import replicate
    from flowsim.experiments.spec import parse_seeds
    from flowsim.resultdir import check_target

    seed_list = parse_seeds(seeds)
    check_target(out)
    with _run_progress(spec.simulation.name, progress) as bar:
        replicate(spec, seeds=seed_list, days=days, overrides=None, out=out, workers=workers,
                  scheduler=scheduler, progress=bar, charts=charts, dpi=dpi)  # fmt: skip
    # provenance: the --set overrides were applied when loading; record them as given
    _amend_provenance(out, overrides)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    print_replicates(summary, Console())


def _amend_provenance(out: Path, overrides: list[str]) -> None:
    from flowsim.resultdir import PROVENANCE, write_provenance

    path = out / PROVENANCE
    record = json.loads(path.read_text(encoding="utf-8"))
    record["overrides"] = overrides
    write_provenance(out, record)


def _fmt(value, unit: str, diff: bool = False) -> str:
    """A value for a table; a difference of shares is in percentage points ("pp")."""
    if value is None:
        return "-"
    if unit.startswith("share"):
        text = f"{100 * value:.2f}" if abs(value) < 0.1 else f"{100 * value:.1f}"
        return f"{text} pp" if diff else f"{text}%"
    if abs(value) >= 100 or (unit in ("persons", "times", "person-days") and abs(value) >= 10):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3g}"


def print_replicates(s: dict, console: Console, paths: list[str] | None = None) -> None:
    from flowsim.outcomes import describe

    seeds = s["seeds"]
    span = (
        f"seeds {seeds[0]}-{seeds[-1]}"
        if seeds == list(range(seeds[0], seeds[-1] + 1))
        else f"{len(seeds)} seeds"
    )
    table = Table(title=f"{s['scenario']}: {s['start_date']} to {s['end_date']}, {span} "
                  f"({s['runs']['ok']} runs ok, {s['runs']['failed']} failed)")  # fmt: skip
    for col in ("outcome", "mean", "95% interval of the mean", "seed to seed", "unit"):
        table.add_column(col, justify="left" if col in ("outcome", "unit") else "right")
    for p in paths or s["headline"]:
        r = s["replicates"].get(p)
        if r is None:
            continue
        o = describe(p)
        ci = r["ci95"]
        interval = f"{_fmt(ci[0], o.unit)} to {_fmt(ci[1], o.unit)}" if ci else "-"
        spread = f"{_fmt(r['min'], o.unit)} to {_fmt(r['max'], o.unit)}" if r["n"] else "-"
        table.add_row(p, _fmt(r["mean"], o.unit), interval, spread,
                      "%" if o.unit.startswith("share") else o.unit)  # fmt: skip
    console.print(table)
    for e in s["runs"]["errors"]:
        console.print(f"[red]failed run:[/red] {e}")


def print_summary(s: dict, console: Console) -> None:
    scale = s["persons_per_agent"]
    table = Table(title=f"{s['scenario']}: {s['start_date']} to {s['end_date']}, seed {s['seed']}")
    table.add_column("outcome")
    table.add_column("agents", justify="right")
    table.add_column("persons", justify="right")

    def row(label: str, n: int) -> None:
        table.add_row(label, f"{n:,}", f"{n * scale:,.0f}")

    row("total", s["agents_total"])
    for status, n in s["by_status"].items():
        row(f"  {status.replace('_', ' ')}", n)
    row("departures", s["totals"]["departures"])
    row("sea crossing attempts", s["totals"]["sea_attempts"])
    row("arrivals at destinations", s["arrivals"]["total"])
    row("deaths at sea (incl. missing)", s["deaths"]["sea"])
    row("deaths on land (incl. missing)", s["deaths"]["land"])
    sea = s["sea"]
    row("boats", sea["boats"])
    row("rescued at sea", sea["rescued"])
    row("intercepted at sea", sea["intercepted"])
    row("refouled", sea["refouled"])
    if sea["deaths_per_attempt"] is not None:
        table.add_row("deaths per sea attempt", f"{sea['deaths_per_attempt']:.2%}", "")
    pr = s["protection"]
    row("asylum claims", pr["claims"])
    row("asylum backlog at the end", pr["backlog"])
    if pr["days_to_decision_mean"] is not None:
        table.add_row("days to first decision, mean / p95",
                      f"{pr['days_to_decision_mean']:.1f} / {pr['days_to_decision_p95']}", "")  # fmt: skip
    if pr["protection_rate"] is not None:
        table.add_row("protection rate (in need, recognized)", f"{pr['protection_rate']:.1%}", "")
    row("wrongful rejections (after appeals)", pr["wrongful_rejections_final"])
    row("detention person-days", pr["detention_person_days"])
    row("days without a reception place", pr["reception_overcapacity_person_days"])
    row("trafficking victims missed", pr["trafficking_missed"])
    so = s["solutions"]
    row("secondary movements", so["secondary_movements"])
    row("integrated / resettled", so["integrated"] + so["resettled"])
    row("returns (voluntary + forced)", so["returns_voluntary"] + so["returns_forced"])
    row("re-migrations after return", so["re_migrations"])
    row("legal entries", so["legal_entries"]["total"])
    if so["smuggled_share"] is not None:
        table.add_row("share of entries with smugglers", f"{so['smuggled_share']:.1%}", "")
    info = s["information"]
    if info["belief_error_mean"] is not None:
        gap = 100 * info["belief_error_mean"]
        table.add_row("believed vs true sea risk, mean gap", f"{gap:.2f} points", "")
    row("deaths heard of by contacts", info["deaths_noticed"])
    row("reached by campaigns", sum(info["campaign_reach"].values()))
    row("deterred (stayed at origin at least once)", info["departures_deterred"])
    console.print(table)


@cli.command("compare")
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--package", "packages", multiple=True, metavar="NAME=FILE.toml", required=True,
    help="A policy package: a TOML file with the scenario keys it changes (repeatable). The "
    "scenario itself is the package 'base'.",
)  # fmt: skip
@click.option("--seeds", default="10", show_default=True, metavar="N|A-B|LIST",
              help="Seeds every package runs (the same for all: common random numbers).")  # fmt: skip
@click.option("--days", type=click.IntRange(1, MAX_DAYS), help="Days (default: scenario's).")
@click.option("--outcome", "outcomes", multiple=True, metavar="PATH",
              help="An outcome to compare (repeatable; default: the headline outcomes; "
              "`flowsim outcomes` lists them).")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: results/compare-<scenario name>).")  # fmt: skip
@_set_option
@click.option("--charts/--no-charts", default=True, help="Write charts (default: yes).")
@click.option("--dpi", type=click.IntRange(30, 600), default=120, show_default=True)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: in a terminal)."
)
@_workers_options
def compare_command(scenario, packages, seeds, days, outcomes, out, overrides, charts, dpi,
                    progress, workers, scheduler) -> None:  # fmt: skip
    """Compare policy packages with the base scenario on the same seeds: each outcome's mean,
    paired difference from the base and its 95% interval."""
    from flowsim.experiments import compare
    from flowsim.experiments.packages import parse_package_option
    from flowsim.experiments.spec import parse_seeds
    from flowsim.outcomes import check_outcomes
    from flowsim.resultdir import check_target

    spec = load_scenario(scenario, overrides=list(overrides))
    _warn(spec.warnings)
    seed_list = parse_seeds(seeds)
    pkgs: dict[str, Path] = {}
    for text in packages:
        name, path = parse_package_option(text)
        if name in pkgs:
            raise ScenarioError(f"--package {text}: the name '{name}' is used twice")
        pkgs[name] = path
    wanted = check_outcomes(list(outcomes), spec) if outcomes else None
    out = out or Path("results") / f"compare-{spec.simulation.name}"
    check_target(out)
    existed = _exists(out)
    with _run_progress(f"compare {len(pkgs) + 1} packages", progress) as bar:
        table = compare(spec, pkgs, seeds=seed_list, days=days, outcomes=wanted, out=out,
                        workers=workers, scheduler=scheduler, progress=bar, charts=charts,
                        dpi=dpi)  # fmt: skip
    _amend_provenance(out, list(overrides))
    print_comparison(table, json.loads((out / "comparison.json").read_text()), Console())
    _written(out, existed)


def print_comparison(table, data: dict, console: Console) -> None:
    from flowsim.outcomes import describe

    names = list(dict.fromkeys(table["package"]))
    seeds = data["seeds"]
    t = Table(title=f"{data['scenario']}: {len(names) - 1} package(s) against the base, "
              f"{len(seeds)} seeds, {data['days']} days; difference from base [95% interval; "
              "pp = percentage points], * = interval excludes 0")  # fmt: skip
    t.add_column("outcome")
    t.add_column("base", justify="right")
    for n in names[1:]:
        t.add_column(n, justify="right")
    for o in dict.fromkeys(table["outcome"]):
        unit = describe(o).unit
        rows = table[table["outcome"] == o].set_index("package")
        cells = [_fmt(_num(rows.loc[names[0], "mean"]), unit)]
        for n in names[1:]:
            r = rows.loc[n]
            diff = _num(r["diff"])
            if diff is None:
                cells.append("-")
                continue
            sign = "+" if diff > 0 else ""
            lo, hi = _num(r["lo"]), _num(r["hi"])
            ci = f" [{_fmt(lo, unit, True)}, {_fmt(hi, unit, True)}]" if lo is not None else ""
            star = " *" if r["excludes_zero"] else ""
            cells.append(f"{sign}{_fmt(diff, unit, True)}{ci}{star}")
        t.add_row(o, *cells)
    console.print(t)
    for e in data["runs"]["errors"]:
        console.print(f"[red]failed run:[/red] {e}")


def _num(x):
    return None if x is None or x != x else float(x)


def _study_options(f):
    f = click.option("--progress/--no-progress", default=None,
                     help="Progress bar (default: in a terminal).")(f)  # fmt: skip
    f = click.option("--dpi", type=click.IntRange(30, 600), default=120, show_default=True)(f)
    f = click.option("--charts/--no-charts", default=True, help="Write charts (default: yes).")(f)
    f = click.option("--resume", is_flag=True,
                     help="Continue the study in --out: run only what is missing.")(f)  # fmt: skip
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                        help="Output folder and run store (default: results/<kind>-<spec>).")(f)  # fmt: skip


def _log(text: str) -> None:
    click.echo(f"flowsim: {text}", err=True)


def _interrupted(out: Path) -> None:
    click.echo(f"flowsim: interrupted; the runs finished so far are kept in {out}/runs: run the "
               "same command with --resume to continue", err=True)  # fmt: skip


@cli.command("sweep")
@click.argument("spec_file", type=click.Path(dir_okay=False, path_type=Path))
@_study_options
@_workers_options
def sweep_command(spec_file, out, resume, charts, dpi, progress, workers, scheduler) -> None:
    """Run a sweep: the factors of SPEC_FILE over a grid, Latin hypercube, Sobol' or Morris
    design, each sample with its seeds, into a resumable Parquet store."""
    from flowsim.experiments import load_spec, sweep

    spec = load_spec(spec_file)
    _warn(spec.scenario.warnings)
    out = out or Path("results") / f"sweep-{spec_file.stem}"
    n = spec.n_samples()
    Console(stderr=True).print(f"{spec.design} design: {n} samples x {len(spec.seeds)} seeds = "
                               f"{n * len(spec.seeds)} runs")  # fmt: skip
    try:
        with _run_progress(f"sweep {spec_file.stem}", progress) as bar:
            runs = sweep(spec, out=out, resume=resume, workers=workers, scheduler=scheduler,
                         progress=bar, charts=charts, dpi=dpi, log=_log)  # fmt: skip
    except KeyboardInterrupt:
        _interrupted(out)
        raise
    data = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    print_study(data, Console())
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        Console().print(f"[red]{len(failed)} runs failed[/red]: {data['runs']['errors'][0]}")
    Console().print(f"Results written to [bold]{out}[/bold] (runs: pandas.read_parquet"
                    f"('{out}/runs'))")  # fmt: skip


def print_study(data: dict, console: Console) -> None:
    from flowsim.outcomes import describe

    r = data["runs"]
    t = Table(title=f"{data['scenario']}: {data['design']} design, {data['samples']} samples x "
              f"{len(data['seeds'])} seeds ({r['ok']} runs ok, {r['failed']} failed); outcome "
              "over the samples (each a mean over its seeds)")  # fmt: skip
    for col in ("outcome", "lowest", "mean", "highest", "unit"):
        t.add_column(col, justify="left" if col in ("outcome", "unit") else "right")
    for o, d in data["outcome_ranges"].items():
        unit = describe(o).unit
        t.add_row(o, _fmt(d["min"], unit), _fmt(d["mean"], unit), _fmt(d["max"], unit),
                  "%" if unit.startswith("share") else unit)  # fmt: skip
    console.print(t)


@cli.command("sensitivity")
@click.argument("spec_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["morris", "sobol"]), required=True,
              help="Morris elementary effects (screening) or Sobol' variance indices.")  # fmt: skip
@_study_options
@_workers_options
def sensitivity_command(spec_file, method, out, resume, charts, dpi, progress, workers,
                        scheduler) -> None:  # fmt: skip
    """Sensitivity study of SPEC_FILE's outcomes to its factors (SALib's Morris or Sobol')."""
    from flowsim.experiments import load_spec, sensitivity

    spec = load_spec(spec_file, method=method)
    _warn(spec.scenario.warnings)
    out = out or Path("results") / f"sensitivity-{spec_file.stem}"
    n = spec.n_samples()
    Console(stderr=True).print(f"{method}: {n} samples x {len(spec.seeds)} seeds = "
                               f"{n * len(spec.seeds)} runs")  # fmt: skip
    try:
        with _run_progress(f"{method} {spec_file.stem}", progress) as bar:
            indices = sensitivity(spec, method=method, out=out, resume=resume, workers=workers,
                                  scheduler=scheduler, progress=bar, charts=charts, dpi=dpi,
                                  log=_log)  # fmt: skip
    except KeyboardInterrupt:
        _interrupted(out)
        raise
    print_indices(indices, method, Console())
    for w in indices.attrs.get("warnings", []):
        click.echo(f"flowsim: warning: {w}", err=True)
    Console().print(f"Results written to [bold]{out}[/bold]")


def print_indices(indices, method: str, console: Console) -> None:
    key, second = ("mu_star", "sigma") if method == "morris" else ("ST", "S1")
    for o in dict.fromkeys(indices["outcome"]):
        part = indices[indices["outcome"] == o]
        main = part[part["index"] == key].sort_values("rank")
        other = part[part["index"] == second].set_index("factor")
        t = Table(title=f"{o}: factors ranked by {key}")
        for col in ("rank", "factor", key, "95% +-", second):
            t.add_column(col, justify="left" if col == "factor" else "right")
        for r in main.itertuples(index=False):
            conf = "-" if r.conf != r.conf else f"{r.conf:.4g}"
            t.add_row(str(r.rank), r.factor, f"{r.value:.4g}", conf,
                      f"{other.loc[r.factor, 'value']:.4g}")  # fmt: skip
        console.print(t)


@cli.command("report")
@click.argument("result_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The HTML file to write (default: RESULT_DIR/report.html).")  # fmt: skip
@click.option("--dpi", type=click.IntRange(30, 300), default=100, show_default=True,
              help="Resolution of the charts in the report.")  # fmt: skip
def report_command(result_dir, output, dpi) -> None:
    """Write one self-contained HTML brief (charts inline) for a result folder: a run,
    replicates, a comparison, a sweep or a sensitivity study."""
    from flowsim.report import write_report

    out = write_report(result_dir, output, dpi=dpi)
    Console().print(
        f"Report written to [bold]{out}[/bold] (open it in a browser; it prints to PDF)"
    )


@cli.command("dashboard")
@click.argument("scenarios", nargs=-1)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can reach 127.0.0.1; give another "
              "address (e.g. 0.0.0.0) only to show the dashboard to others on your network.")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
def dashboard_command(scenarios, host, port) -> None:
    """Start the workshop dashboard (Solara) and print its address. SCENARIOS (names, .toml
    paths) are the scenarios to choose from (default: the bundled ones)."""
    import socket

    from flowsim.dashboard import LOCAL_HOSTS, serve

    for name in scenarios:  # every scenario is checked before the server starts
        load_scenario(name)

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        raise ScenarioError(f"--host {host} --port {port}: cannot listen there: "
                            f"{e.strerror or e}") from None  # fmt: skip
    if host not in LOCAL_HOSTS:
        click.echo(f"flowsim: warning: listening on {host}: anyone who can reach this machine "
                   "on that address can use the dashboard", err=True)  # fmt: skip
    click.echo(f"flowsim dashboard at http://{'127.0.0.1' if host == '0.0.0.0' else host}:"
               f"{port}/ (Ctrl-C stops it)")  # fmt: skip
    serve(host, port, [str(Path(n).resolve()) if Path(n).is_file() else n for n in scenarios])


@cli.command("outcomes")
@click.argument("scenario", required=False)
def outcomes_command(scenario) -> None:
    """List the outcomes experiments can name: path, unit, which way is better, meaning.
    With SCENARIO, also every per-node, per-hub and per-country outcome it has."""
    from flowsim.outcomes import FAMILIES, HEADLINE, OUTCOMES, describe, outcome_paths

    out = click.echo
    out("Outcomes: paths into summary.json; counts in persons. * = headline (used when none is "
        "named).\n")  # fmt: skip
    for o in OUTCOMES:
        mark = "*" if o.path in HEADLINE else " "
        out(f"{mark} {o.path}\n      {o.meaning}; unit: {o.unit}; better: {o.better}")
    out("\nPer id (e.g. arrivals.by_node.<node>):")
    if scenario is None:
        for prefix, kind, unit, better, meaning in FAMILIES:
            out(f"  {prefix}.<{kind}>\n      {meaning.format(id='<' + kind + '>')}; unit: "
                f"{unit}; better: {better}")  # fmt: skip
        return
    spec = load_scenario(scenario)
    static = {o.path for o in OUTCOMES}
    for p in outcome_paths(spec):
        if p not in static:
            o = describe(p)
            out(f"  {p}\n      {o.meaning}; unit: {o.unit}; better: {o.better}")


@cli.command("check")
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option("--days", type=click.IntRange(1, MAX_DAYS), help="Days (default: scenario's).")
@_set_option
def check_command(scenario, days, overrides) -> None:
    """Check SCENARIO without running it: validate it (with --set overrides) and print the
    people, days and memory a run will take."""
    from flowsim.check import available_bytes, require_memory

    spec = load_scenario(scenario, overrides=list(overrides))
    _warn(spec.warnings)
    est = require_memory(spec, days)
    sim = spec.simulation
    end = sim.start_date + __import__("datetime").timedelta(days=est.days - 1)
    free = available_bytes()
    click.echo(f"{spec.source}: valid")
    click.echo(f"  {sim.name}: {len(spec.nodes)} places, {len(spec.edges)} legs, "
               f"{len(spec.profiles)} profiles; {est.days} days, {sim.start_date} to {end}")  # fmt: skip
    click.echo(f"  about {est.agents:,} agents enter the run ({est.agents * sim.persons_per_agent:,.0f}"
               f" persons; one agent stands for {sim.persons_per_agent:g})")  # fmt: skip
    click.echo(f"  memory: about {est.total_bytes / 2**20:,.0f} MiB ({est.bytes_per_agent} bytes "
               f"an agent, {est.record_bytes / 2**20:,.1f} MiB of daily records, "
               f"{est.table_rows:,} rows of daily tables)"
               + (f"; {free / 2**30:,.1f} GiB free" if free else ""))  # fmt: skip


@cli.command("import-flee")
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The scenario file to write (.toml).")  # fmt: skip
@click.option(
    "--validation", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Flee validation folder (data_layout.csv): forced-inflow mode and day-0 camp counts. "
    "Default: the input folder's sibling 'validation', if any.",
)  # fmt: skip
@click.option("--speed", type=click.FloatRange(min=1.0), default=200.0, show_default=True,
              help="Travel speed in km a day, for the days of each leg (Flee's max_move_speed).")  # fmt: skip
@_inflow_option
def import_flee_command(input_dir, output, validation, speed, inflow) -> None:
    """Import a Flee input folder (locations.csv, routes.csv, ...) as a scenario file."""
    import tomli_w

    from flowsim.flee import read_flee, sibling_validation
    from flowsim.output import atomic_write
    from flowsim.scenario import validate

    vdir = validation or sibling_validation(input_dir)
    data = read_flee(input_dir, vdir, speed_km_per_day=speed, inflow=inflow)
    validate(data, source=str(input_dir))  # the file we write must load
    text = (
        f"# Imported by `flowsim import-flee {input_dir}` from a Flee input folder"
        + (f" with validation data from {vdir}" if vdir else "")
        + (f" and the inflow of {inflow}" if inflow else "")
        + ".\n# Mapping and assumptions: docs/MODEL.md, 'Flee cases'.\n\n"
        + tomli_w.dumps(data)
    )
    atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))
    click.echo(f"wrote {output}: {len(data['nodes'])} locations, {len(data['edges'])} routes"
               + (f", forced inflow from {inflow}" if inflow else
                  ", forced inflow from the validation data"))  # fmt: skip


@cli.command("validate-flee")
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("validation_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seeds", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: results/validate-<case>).")  # fmt: skip
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a value of the imported scenario (repeatable).")  # fmt: skip
@_inflow_option
def validate_flee_command(input_dir, validation_dir, seeds, out, overrides, inflow) -> None:
    """Run a Flee case over several seeds and compare camps with observations (ARD)."""
    from flowsim.flee import case_name
    from flowsim.validation import validate_flee

    out = out or Path("results") / f"validate-{case_name(input_dir)}"
    r = validate_flee(input_dir, validation_dir, seeds=seeds, out=out, overrides=list(overrides),
                      inflow=inflow)  # fmt: skip
    table = Table(title=f"{r['case']}: {seeds} seeds, {r['days']} days, time-averaged ARD")
    for col in ("measure", "mean", "sd"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    table.add_row("ARD", f"{r['ard_mean']:.3f}", f"{r['ard_sd']:.3f}")
    table.add_row("ARD, rescaled", f"{r['ard_rescaled_mean']:.3f}", f"{r['ard_rescaled_sd']:.3f}")
    table.add_row("agent-steps per second", f"{r['agent_steps_per_s']:,.0f}", "")
    Console().print(table)
    Console().print(f"validation.json and a chart per camp written to [bold]{out}[/bold]")


@cli.command("calibrate")
@click.argument("input_dir", type=click.Path(path_type=Path))
@click.argument("validation_dir", type=click.Path(path_type=Path))
@click.option("--params", "spec_file", type=click.Path(path_type=Path), required=True,
              help="Calibration spec: the parameters with their ranges, the sampler, the "
              "objective (TOML).")  # fmt: skip
@click.option("--budget", type=click.IntRange(1, 100_000), required=True,
              help="Trials to run (each runs every seed).")  # fmt: skip
@click.option("--seeds", default="3", show_default=True, metavar="N|A-B|LIST",
              help="Seeds each trial runs; its objective is the mean over them.")  # fmt: skip
@click.option("--holdout", "holdouts", multiple=True, metavar="INPUT:VALIDATION",
              help="Another Flee case to score the fitted parameters on (repeatable).")  # fmt: skip
@_study_options
@_workers_options
def calibrate_command(input_dir, validation_dir, spec_file, budget, seeds, holdouts, out, resume,
                      charts, dpi, progress, workers, scheduler) -> None:  # fmt: skip
    """Fit behaviour parameters of a Flee case to its observed camp counts (Optuna), on the
    run store and executors of sweeps: resumable, parallel, Dask."""
    from flowsim.calibration import calibrate, load_calibration
    from flowsim.experiments.spec import parse_seeds

    cal = load_calibration(spec_file, input_dir, validation_dir)
    seed_list = parse_seeds(seeds)
    pairs = []
    for h in holdouts:
        inp, sep, val = h.partition(":")
        if not sep or not Path(inp).is_dir() or not Path(val).is_dir():
            raise ScenarioError(f"--holdout {h}: expected INPUT:VALIDATION, two Flee folders")
        pairs.append((Path(inp), Path(val)))
    out = out or Path("results") / f"calibrate-{cal.scenario.simulation.name}"
    Console(stderr=True).print(f"{cal.sampler}: {budget} trials x {len(seed_list)} seeds = "
                               f"{budget * len(seed_list)} runs of {cal.scenario.simulation.days}"
                               " days")  # fmt: skip
    try:
        with _run_progress(f"calibrate {cal.scenario.simulation.name}", progress) as bar:
            r = calibrate(cal, budget=budget, seeds=seed_list, out=out, resume=resume,
                          workers=workers, scheduler=scheduler, progress=bar, log=_log,
                          holdouts=pairs, charts=charts)  # fmt: skip
    except KeyboardInterrupt:
        _interrupted(out)
        raise
    t = Table(title=f"{r['case']}: best of {r['trials']} trials ({r['sampler']}, objective "
              f"{r['objective']}{', first half' if r['fit'] == 'first_half' else ''})")  # fmt: skip
    t.add_column("parameter")
    t.add_column("best", justify="right")
    for p, v in r["best"].items():
        t.add_row(p, f"{v:.4g}")
    for k in ("ard", "ard_rescaled", "ard_first_half", "ard_rescaled_first_half",
              "ard_second_half", "ard_rescaled_second_half"):  # fmt: skip
        a = r["at_best"][k]
        t.add_row(
            f"{k.replace('_', ' ')} (mean ± sd over seeds)", f"{a['mean']:.3f} ± {a['sd']:.3f}"
        )
    for h in r["holdout"]:
        t.add_row(f"holdout {h['input_dir']}: rescaled ARD fitted / default",
                  f"{h['fitted']['ard_rescaled_mean']:.3f} / {h['default']['ard_rescaled_mean']:.3f}")  # fmt: skip
    Console().print(t)
    Console().print(f"Results written to [bold]{out}[/bold] (best.toml: the fitted parameters)")


@cli.command("levers")
def levers_command() -> None:
    """List every policy lever: meaning, unit, default, what tables are keyed by, source."""
    from flowsim.levers import lever_specs

    out = click.echo
    out("Policy levers: the [policy] table of a scenario, or --set policy.<lever>=value.")
    out(
        "Each takes a number, a table keyed by id ({zuwara = 0.8, default = 0.1}), or a step "
        "timeline [[day or date, value], ...]; a table entry may be a timeline.\n"
    )
    for s in lever_specs():
        lo, hi = s["range"]
        allowed = f"{lo:g} to {hi:g}"
        if hi == float("inf"):
            allowed = f">= {lo:g}" + (" (inf = unlimited)" if s["allow_inf"] else "")
        default = s["default_text"] or s["default"]
        if s["choices"]:
            allowed = ", ".join(f'"{c}"' for c in s["choices"])
            default = f'"{s["choices"][int(s["default"])]}"'
        out(s["path"])
        out(f"    {s['meaning']}")
        out(f"    unit: {s['unit']}; allowed: {allowed}; default: {default}")
        out(f"    tables keyed by: {s['keyed_by']}; source: {s['source']}\n")


@cli.command("list")
def list_command() -> None:
    """List the bundled scenarios."""
    table = Table(title="Bundled scenarios")
    table.add_column("name")
    table.add_column("region")
    table.add_column("period")
    table.add_column("days", justify="right")
    table.add_column("description")
    for name, path in bundled_scenarios().items():
        sim = tomllib.loads(path.read_text(encoding="utf-8")).get("simulation", {})
        label = f"{name} (default)" if name == DEFAULT_SCENARIO else name
        table.add_row(label, sim.get("region", ""), sim.get("period", ""),
                      str(sim.get("days", "")), sim.get("description", ""))  # fmt: skip
    Console().print(table)


def _tty() -> bool:
    return sys.stderr.isatty()


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors give one line on stderr and exit status 2, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    for k, a in enumerate(args):
        if "\x00" in a:
            option = args[k - 1] if k and args[k - 1].startswith("-") else "argument"
            shown = a.replace("\x00", "\\x00")
            click.echo(f"flowsim: error: {option} {shown}: contains a NUL byte, which no name "
                       "or value may hold", err=True)  # fmt: skip
            return 2
    try:
        cli.main(args=argv, prog_name="flowsim", standalone_mode=False)
    except ScenarioError as e:
        for line in str(e).splitlines():
            click.echo(f"flowsim: error: {line}", err=True)
        return 2
    except click.UsageError as e:
        click.echo(f"flowsim: error: {e.format_message()}", err=True)
        return 2
    except click.Abort:
        click.echo("flowsim: interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("flowsim: interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``flowsim run``, ``levers``, ``list``, ``import-flee``, ``validate-flee``."""

from __future__ import annotations

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


@cli.command("run")
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--days", type=click.IntRange(1, MAX_DAYS), help="Days to simulate (default: scenario's)."
)
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: scenario's).")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: results/<scenario name>).",
)  # fmt: skip
@click.option(
    "--set", "overrides", multiple=True, metavar="PATH=VALUE",
    help="Override a scenario value, e.g. --set simulation.days=30 "
    "--set nodes.tripoli.capacity=500 (repeatable).",
)  # fmt: skip
@click.option("--charts/--no-charts", default=True, help="Write PNG charts (default: yes).")
@click.option(
    "--progress/--no-progress", default=None,
    help="Show a progress bar (default: on long runs in a terminal).",
)  # fmt: skip
def run_command(scenario, days, seed, out, overrides, charts, progress) -> None:
    """Run SCENARIO (a .toml path, a Flee input folder, or a bundled name; default: the
    bundled default)."""
    from flowsim.output import run

    spec = load_scenario(scenario, overrides=list(overrides))
    total = days or spec.simulation.days
    show = progress if progress is not None else (total >= PROGRESS_MIN_DAYS and _tty())
    out = out or Path("results") / spec.simulation.name
    err = Console(stderr=True)
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
    result.write(out, charts=charts)
    print_summary(result.summary, Console())
    Console().print(f"Results written to [bold]{out}[/bold]")


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
def import_flee_command(input_dir, output, validation, speed) -> None:
    """Import a Flee input folder (locations.csv, routes.csv, ...) as a scenario file."""
    import tomli_w

    from flowsim.flee import read_flee, sibling_validation
    from flowsim.output import atomic_write
    from flowsim.scenario import validate

    vdir = validation or sibling_validation(input_dir)
    data = read_flee(input_dir, vdir, speed_km_per_day=speed)
    validate(data, source=str(input_dir))  # the file we write must load
    text = (
        f"# Imported by `flowsim import-flee {input_dir}` from a Flee input folder"
        + (f" with validation data from {vdir} (forced-inflow mode)" if vdir else "")
        + ".\n# Mapping and assumptions: docs/MODEL.md, 'Flee cases'.\n\n"
        + tomli_w.dumps(data)
    )
    atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))
    click.echo(f"wrote {output}: {len(data['nodes'])} locations, {len(data['edges'])} routes"
               + (", forced inflow from the validation data" if vdir else ""))  # fmt: skip


@cli.command("validate-flee")
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("validation_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seeds", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: results/validate-<case>).")  # fmt: skip
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a value of the imported scenario (repeatable).")  # fmt: skip
def validate_flee_command(input_dir, validation_dir, seeds, out, overrides) -> None:
    """Run a Flee case over several seeds and compare camps with observations (ARD)."""
    from flowsim.flee import slug
    from flowsim.validation import validate_flee

    case = slug(input_dir.resolve().parent.name if input_dir.name == "input" else input_dir.name)
    out = out or Path("results") / f"validate-{case}"
    r = validate_flee(input_dir, validation_dir, seeds=seeds, out=out, overrides=list(overrides))
    table = Table(title=f"{r['case']}: {seeds} seeds, {r['days']} days, time-averaged ARD")
    for col in ("measure", "mean", "sd"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    table.add_row("ARD", f"{r['ard_mean']:.3f}", f"{r['ard_sd']:.3f}")
    table.add_row("ARD, rescaled", f"{r['ard_rescaled_mean']:.3f}", f"{r['ard_rescaled_sd']:.3f}")
    table.add_row("agent-steps per second", f"{r['agent_steps_per_s']:,.0f}", "")
    Console().print(table)
    Console().print(f"validation.json and a chart per camp written to [bold]{out}[/bold]")


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
    table.add_column("days", justify="right")
    table.add_column("description")
    for name, path in bundled_scenarios().items():
        sim = tomllib.loads(path.read_text(encoding="utf-8")).get("simulation", {})
        label = f"{name} (default)" if name == DEFAULT_SCENARIO else name
        table.add_row(label, str(sim.get("days", "")), sim.get("description", ""))
    Console().print(table)


def _tty() -> bool:
    return sys.stderr.isatty()


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors give one line on stderr and exit status 2, never a traceback."""
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

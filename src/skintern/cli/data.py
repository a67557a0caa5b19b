"""`skintern data` (write a run's datasets) and `skintern data stats` (counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skintern.cli.common import (
    ConfigOption,
    RunDirOption,
    StageGroup,
    console,
    console_err,
    overrides_of,
    resolve,
    run_dir_for,
)
from skintern.data import datasets, load
from skintern.data.stats import SplitCounts, count, count_by_task
from skintern.errors import SkinternError

app = typer.Typer(
    help="Load benchmarks into canonical examples.", cls=StageGroup, invoke_without_command=True
)

SPLITS = ("train", "test", "all")


@app.callback()
def data(
    ctx: typer.Context,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Write the config's datasets to RUN_DIR/data/{train,test}/NAME.jsonl (key=value overrides
    may follow)."""
    if ctx.invoked_subcommand is not None:
        return
    from skintern.data import stage

    cfg = resolve(config, overrides_of(ctx))
    target = run_dir_for(cfg, run_dir)
    manifest = stage.run(cfg.data, target)
    for split, per_dataset in manifest["counts"].items():
        for name, n in per_dataset.items():
            console.print(f"{split:5} {name:12} {n:6d} examples")
    console.print(f"wrote {target / 'data'}")


def _row(table: Table, summary: SplitCounts, label: str) -> None:
    types = ", ".join(f"{k} {v}" for k, v in sorted(summary.answer_types.items()))
    cells = [str(summary.splits.get(split, "-")) for split in SPLITS]
    table.add_row(label, str(summary.tasks), *cells, types)


@app.command()
def stats(
    names: Annotated[
        list[str] | None, typer.Argument(help="Datasets to count (default: all registered).")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data root like shared/data.")] = None,
    seed: Annotated[int, typer.Option(help="Split seed.")] = 0,
    by_task: Annotated[bool, typer.Option("--by-task", help="One row per task.")] = False,
) -> None:
    """Count examples per dataset, task, split and answer type."""
    table = Table(title="skintern datasets")
    for column in ("dataset", "tasks", *SPLITS, "answer types"):
        table.add_column(
            column, justify="left" if column in ("dataset", "answer types") else "right"
        )
    failures = []
    for name in names or datasets.names():
        by_split, errors = {}, {}
        for split in SPLITS:  # a test-only set (AGIEval, ARC) refuses `train`: shown as "-"
            try:
                by_split[split] = load(name, split, data_dir=data_dir, seed=seed)
            except SkinternError as err:
                errors[split] = err
        if "all" not in by_split:
            failures.append((name, errors["all"]))
            table.add_row(name, "-", "-", "-", "-", "[red]unavailable[/]")
            continue
        _row(table, count(name, by_split), f"[bold]{name}[/]")
        if by_task:
            for summary in count_by_task(by_split):
                _row(table, summary, f"  {summary.name}")
    console.print(table)
    for name, err in failures:
        where = f"{err.where}: " if err.where else ""
        console_err.print(f"[red]error:[/] {name}: {where}{err.message}", highlight=False)
        if err.hint:
            console_err.print(f"[yellow]hint:[/] {err.hint}", highlight=False)
    if failures:
        raise typer.Exit(1)

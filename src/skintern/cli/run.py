"""`skintern run CONFIG` (every stage in order, resumable) and `skintern demo` (the offline demo).

Both print a summary table of the stages (ran, resumed or skipped, and their time) and the path of
the report; the demo also prints its comparison: accuracy with its 95% interval and inference
cost relative to the reference prompts, beside the cost of KARD-style prompts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from skintern.cli.common import RunDirOption, console, console_err, resolve, run_dir_for
from skintern.errors import ConfigError
from skintern.paths import CONFIGS, shipped_config

DEMO_CONFIG = "demo.yaml"  # a shipped config (package data), found from any folder
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        "--threads", min=1, help="Torch CPU threads for every stage (default: eval.threads)."
    ),
]
ArgsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="CONFIG (a YAML file) and key=value overrides.", show_default=False),
]


def split_args(args: list[str], config: Path | None) -> tuple[Path | None, list[str]]:
    """(config file, overrides) from the positional words: `key=value` words are overrides."""
    overrides = [a for a in args if "=" in a and not a.endswith((".yaml", ".yml"))]
    files = [a for a in args if a not in overrides]
    if len(files) > 1 or (files and config is not None):
        raise ConfigError(f"more than one config file given: {', '.join(map(str, files))}")
    return (Path(files[0]) if files else config), overrides


def _note(name: str, manifest: dict[str, Any], status: str) -> str:
    """One line on what a stage produced, from its manifest."""
    if status == "skipped" and not manifest:
        return "current: outputs unchanged"
    if name == "data":
        return ", ".join(f"{s} {sum(c.values())}" for s, c in manifest.get("counts", {}).items())
    if name == "teach":
        return (
            f"{manifest['rationales']['written']} rationales, "
            f"{manifest['knowledge']['written']} knowledge"
        )
    if name == "curriculum":
        steps = manifest.get("steps", [])
        return f"T = {len(steps)} steps, {sum(s['records'] for s in steps)} records"
    if name.startswith("train"):
        return (
            f"{manifest.get('global_steps', 0)} optimizer steps, "
            f"{manifest.get('tokens_per_s', 0):,.0f} tokens/s"
        )
    if name == "eval":
        return ", ".join(
            f"{m} {_pct(s.get('average'))}" for m, s in manifest.get("methods", {}).items()
        )
    return ", ".join(manifest.get("written", []))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def summary_table(results: list[Any], seconds: float) -> Table:
    table = Table(title=f"skintern run: {seconds:.0f} s")
    for column in ("stage", "status", "seconds", "result"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for r in results:
        table.add_row(r.name, r.status, f"{r.seconds:.1f}", _note(r.name, r.manifest, r.status))
    return table


def execute(config: Path | None, overrides: list[str], run_dir: Path | None, threads: int | None):
    """Resolve the config, run the pipeline with a summary; returns (config, run dir)."""
    from skintern.pipeline import run_pipeline

    cfg = resolve(config, overrides)
    target = run_dir_for(cfg, run_dir)
    started = time.perf_counter()
    try:
        results = run_pipeline(
            cfg,
            target,
            log=lambda line: console_err.print(line, highlight=False, markup=False),
            threads=threads,
        )
    except KeyboardInterrupt:
        console_err.print(
            "[yellow]interrupted:[/] finished work is kept; run the same command to continue"
        )
        raise typer.Exit(130) from None
    console.print(summary_table(results, time.perf_counter() - started))
    console.print(f"report: {target / 'report.md'}")
    return cfg, target


def run(
    args: ArgsArgument = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Run config (YAML).", show_default=False)
    ] = None,
    run_dir: RunDirOption = None,
    threads: ThreadsOption = None,
) -> None:
    """Run data, teach, curriculum, train (every method in eval.methods), eval and report in
    order; stages whose inputs are unchanged are skipped, interrupted ones resume."""
    file, overrides = split_args(list(args or []), config)
    if file is None:
        raise ConfigError("no config given", hint="skintern run CONFIG.yaml [key=value ...]")
    execute(file, overrides, run_dir, threads)


def comparison_table(rows: list[Any], reference: dict[str, Any] | None) -> Table:
    unit = (
        f"x1 = prefill FLOPs of the {reference['method']} prompt on the same {reference['dataset']}"
        " questions; prefill: prompt only (the paper's measure); full: prompt + generated tokens"
        if reference
        else "no reference dataset was evaluated"
    )
    table = Table(title="demo comparison (test questions the student never saw)", caption=unit)
    for column in ("method", "n", "accuracy", "95% CI", "prompt tok", "gen tok", "prefill", "full"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for r in rows:
        ci = f"[{100 * r.ci95[0]:.1f}, {100 * r.ci95[1]:.1f}]" if r.ci95 else "-"
        table.add_row(
            r.name,
            str(r.n),
            _pct(r.accuracy),
            ci,
            f"{r.prompt_tokens:.0f}",
            "-" if r.generated_tokens is None else f"{r.generated_tokens:.0f}",
            "-" if r.rel_prefill is None else f"x{r.rel_prefill:.2f}",
            "-" if r.rel_full is None else f"x{r.rel_full:.2f}",
        )
    return table


def demo(
    args: ArgsArgument = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Demo config (default: the shipped demo.yaml)."),
    ] = None,
    run_dir: Annotated[Path, typer.Option("--run-dir", help="Run directory.")] = Path("runs/demo"),
    threads: ThreadsOption = None,
) -> None:
    """Distil SKIntern and Std-CoT into SmolLM2-135M on synthetic tasks, offline (~10 min on
    2 CPU cores), and print the comparison; key=value overrides may follow."""
    from skintern.pipeline.compare import comparison
    from skintern.report.findings import bbh_line, shipped_finding

    file, overrides = split_args(list(args or []), config)
    file = file or shipped_config(DEMO_CONFIG)
    if file is None:
        raise ConfigError(
            "the shipped demo config is missing from this installation",
            where=str(CONFIGS / DEMO_CONFIG),
            hint="reinstall skintern, or pass --config FILE",
        )
    cfg, target = execute(file, overrides, run_dir, threads)
    rows, reference = comparison(cfg, target)
    console.print(comparison_table(rows, reference))
    if found := shipped_finding():
        console.print(bbh_line(found))

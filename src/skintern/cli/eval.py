"""`skintern eval --config CONFIG`: the evaluation stage (`skintern.eval.stage`), and
`skintern eval score-file FILE...` (per-task accuracy of existing predictions)."""

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
from skintern.eval.score_file import TaskScore, averages, score_files

app = typer.Typer(
    help="Evaluate a student and score its answers.",
    cls=StageGroup,
    invoke_without_command=True,
)


@app.callback()
def eval_stage(
    ctx: typer.Context,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Generate, extract and score every eval.methods on the run's test data, writing
    RUN_DIR/eval/METHOD/DATASET/{predictions.jsonl,metrics.json} (key=value overrides may
    follow); or a subcommand below."""
    if ctx.invoked_subcommand is not None:
        return
    overrides = overrides_of(ctx)
    if config is None and run_dir is None and not overrides:
        console.print(ctx.get_help())
        return
    from skintern.eval import stage
    from skintern.pipeline.checks import preflight

    cfg = resolve(config, overrides)
    preflight(cfg)
    target = run_dir_for(cfg, run_dir)
    manifest = stage.run(cfg.eval, target, cfg.train.methods, log=console_err.print)
    console.print(methods_table(manifest))
    console.print(f"wrote {target / 'eval'}")


def methods_table(manifest: dict) -> Table:
    """One row per method: accuracy per dataset, average, relative FLOPs, unparseable answers."""
    datasets = list(manifest["counts"])
    table = Table(title="skintern eval")
    for column in ("method", *datasets, "average", "rel. FLOPs", "unparseable"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for name, summary in manifest["methods"].items():
        cells = [_pct(_scaled(summary["accuracy"].get(d))) for d in datasets]
        rel = summary.get("relative_flops")
        table.add_row(
            name,
            *cells,
            _pct(_scaled(summary["average"])),
            "-" if rel is None else f"x{rel:.2f}",
            str(summary["unparseable"]),
        )
    return table


def _scaled(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    value = round(value, 1) + 0.0  # no "-0.0" for a float-noise difference
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def scores_table(scores: list[TaskScore], title: str) -> Table:
    """One row per task (n, our accuracy, the published one, the difference), then averages;
    the caption names the extractors (and versions) that scored the answers."""
    used = sorted({s.extractor for s in scores})
    table = Table(title=title, caption=f"scored by {', '.join(used)}")
    table.add_column("task", no_wrap=True)
    for column in ("n", "acc %", "ref %", "delta"):
        table.add_column(column, justify="right", no_wrap=True)
    for s in scores:
        cells = (_pct(s.accuracy), _pct(s.reference), _pct(s.delta, signed=True))
        table.add_row(s.task, str(s.n), *cells)
    macro, micro = averages(scores)
    refs = [s.reference for s in scores]
    ref_macro = sum(refs) / len(refs) if refs and None not in refs else None
    delta = None if ref_macro is None else macro - ref_macro
    table.add_section()
    table.add_row(
        "macro average", str(len(scores)), _pct(macro), _pct(ref_macro), _pct(delta, True)
    )
    table.add_row("micro average", str(sum(s.n for s in scores)), _pct(micro), "-", "-")
    return table


@app.command("score-file")
def score_file(
    files: Annotated[
        list[Path], typer.Argument(help="Predictions: JSONL rows or {'outputs': [...]}.")
    ],
    dataset: Annotated[str, typer.Option(help="Dataset the predictions answer.")] = "bbh",
    task: Annotated[
        str | None, typer.Option(help="Task of rows without a 'task' field (default: file stem).")
    ] = None,
) -> None:
    """Per-task accuracy of predictions files, beside the published reference where known.

    BBH's reference is code-davinci-002 with 3-shot CoT (Suzgun et al. 2022)."""
    scores = score_files(files, dataset=dataset, task=task)
    console.print(scores_table(scores, f"{dataset}: {len(files)} file(s)"))


@app.command("harness")
def harness(
    run_dir: Annotated[
        Path, typer.Option("--run-dir", help="A run with trained and evaluated methods.")
    ],
    method: Annotated[
        list[str] | None,
        typer.Option("--method", help="Trained method (repeatable; default: every one)."),
    ] = None,
    load: Annotated[
        str,
        typer.Option(
            help="adapter: lm-eval loads base + adapter (peft=); merged: skintern's merge."
        ),
    ] = "adapter",
    limit: Annotated[
        int | None, typer.Option(help="Questions per test task (default: the run's eval.limit).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="lm-eval batch size (default: the run's eval.batch_size).")
    ] = None,
) -> None:
    """Second opinion: lm-evaluation-harness on the run's students over its test questions,
    same prompts, scored by lm-eval and by skintern; writes RUN/eval/harness/harness.md and
    adds it to the run's report (needs skintern's optional extra named harness)."""
    from skintern.errors import ConfigError
    from skintern.pipeline.harness import HarnessOptions, run_harness
    from skintern.report.harness import render

    if load not in ("adapter", "merged"):
        raise ConfigError(f"expected adapter or merged, got {load!r}", where="--load")
    opts = HarnessOptions(method or [], load, limit, batch_size)  # type: ignore[arg-type]
    summary = run_harness(run_dir, opts, log=console_err.print)
    console.print(render(summary), markup=False, highlight=False, soft_wrap=True)
    console.print(f"wrote {run_dir / 'eval' / 'harness' / 'harness.md'}", highlight=False)

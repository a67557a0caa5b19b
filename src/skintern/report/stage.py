"""Stage `report`: tables and plots from one or more evaluated run directories.

Reads: `RUN/eval/manifest.json`, `RUN/eval/METHOD/metrics.json`, `RUN/train/METHOD/train_log.jsonl`,
and `RUN/eval/harness/summary.json` when `skintern eval harness` ran.
Writes: `OUT/report.md`, `OUT/report.json`, `OUT/plots/*.png` (OUT: the run directory itself for
one run; each run's own directory without `--compare`; the `--out` folder with it).
CLI: `skintern report RUN_DIR [RUN_DIR ...] [--compare --out DIR]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skintern.report import plots
from skintern.report.collect import RunResult, read_run
from skintern.report.harness import sections as harness_sections
from skintern.report.tables import (
    cost_table,
    dataset_order,
    flops_unit,
    main_table,
    method_rows,
    task_table,
)
from skintern.rundir import atomic_open, write_json


def build(runs: list[RunResult], out: Path) -> dict[str, Any]:
    """Write `report.md`, `report.json` and the plots for `runs` into `out`; returns the JSON."""
    rows = method_rows(runs)
    datasets = dataset_order(runs)
    in_domain = sorted({d for run in runs for d in run.in_domain})
    logs = {
        (f"{run.name}/{name}" if len(runs) > 1 else name): log
        for run in runs
        for name, log in run.train_logs.items()
    }
    made = {
        "accuracy_vs_flops": plots.accuracy_vs_flops(
            rows, datasets, out / "plots" / "accuracy_vs_flops.png"
        ),
        "training_loss": plots.training_loss(logs, out / "plots" / "training_loss.png"),
        "task_accuracy": plots.task_accuracy(rows, out / "plots" / "task_accuracy.png"),
    }
    plot_paths = {k: str(p.relative_to(out)) for k, p in made.items() if p is not None}
    report = {
        "runs": [{"name": r.name, "path": str(r.path), "reference": r.reference} for r in runs],
        "datasets": datasets,
        "in_domain": in_domain,
        "flops_unit": flops_unit(runs),
        "methods": rows,
        "plots": plot_paths,
    }
    write_json(out / "report.json", report)
    with atomic_open(out / "report.md") as handle:
        handle.write(render_markdown(report, rows, datasets, in_domain))
    return report


def render_markdown(
    report: dict[str, Any], rows: list[dict[str, Any]], datasets: list[str], in_domain: list[str]
) -> str:
    """The report as Markdown: main table, cost, per-task tables, plots."""
    runs = ", ".join(f"`{r['path']}`" for r in report["runs"])
    ref = next((r["reference"] for r in report["runs"] if r["reference"]), None)
    unit = (
        f"x1.0 = prefill FLOPs of the {ref['method']} prompts on {ref['dataset']} test "
        f"({ref['n']} questions, {ref['model']}; the smallest such cost among the runs)"
        if ref
        else "no reference dataset was evaluated"
    )
    parts = [
        "# skintern report",
        f"Runs: {runs}",
        "## Accuracy (%), bootstrap 95% CI in brackets",
        main_table(rows, datasets, in_domain),
        f"Avg: macro average over datasets. Rel. FLOPs: {unit}.",
        "## Inference cost",
        cost_table(rows),
    ]
    for dataset in datasets:
        table = task_table(rows, dataset)
        if table:
            parts += [f"## {dataset}: accuracy per task (%)", table]
    parts += [part.rstrip("\n") for part in harness_sections([r["path"] for r in report["runs"]])]
    parts.append("## Plots")
    titles = {
        "accuracy_vs_flops": "Accuracy against inference FLOPs",
        "training_loss": "Training loss by schedule step",
        "task_accuracy": "Accuracy per task",
    }
    for key, title in titles.items():
        path = report["plots"].get(key)
        parts.append(f"![{title}]({path})" if path else f"{title}: no data (e.g. no training log).")
    return "\n\n".join(parts) + "\n"


def run(run_dirs: list[Path], compare: bool = False, out: Path | None = None) -> list[Path]:
    """One report per run directory, or with `compare` one report of all runs side by side;
    returns the folders written."""
    runs = [read_run(path) for path in run_dirs]
    if compare or out is not None:
        target = out or Path("report")
        build(runs, target)
        return [target]
    for run_result in runs:
        build([run_result], run_result.path)
    return [r.path for r in runs]

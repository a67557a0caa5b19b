"""The report's numbers (`report.json`) and its Markdown tables, in the shape of paper Table 1.

Rows are methods (prefixed by the run when several runs are compared); columns are the datasets
(in-domain first), the macro average and relative FLOPs. Accuracies are shown in %, with the
bootstrap 95% CI where there is one.
"""

from __future__ import annotations

from typing import Any

from skintern.report.collect import RunResult


def dataset_order(runs: list[RunResult]) -> list[str]:
    """Every evaluated dataset: in-domain ones first (config order), then the rest, sorted."""
    seen = {d for run in runs for m in run.methods.values() for d in m.get("datasets", {})}
    in_domain = [d for d in dict.fromkeys(x for run in runs for x in run.in_domain) if d in seen]
    return in_domain + sorted(seen - set(in_domain))


def flops_unit(runs: list[RunResult]) -> float | None:
    """The relative-FLOPs unit: the smallest reference cost among the runs (the paper's
    "smallest student's zero-shot prompt"); None when no run has a reference."""
    costs = [r.reference["prefill_flops"] for r in runs if r.reference]
    return min(costs) if costs else None


def method_rows(runs: list[RunResult]) -> list[dict[str, Any]]:
    """One row per (run, method) with accuracies, CIs, averages and costs."""
    unit = flops_unit(runs)
    label_runs = len(runs) > 1
    rows = []
    for run in runs:
        ref_dataset = run.reference["dataset"] if run.reference else None
        for name, m in run.methods.items():
            per = m.get("datasets", {})
            ref_cost = per.get(ref_dataset, {}).get("prefill_flops") if ref_dataset else None
            n = sum(d["n"] for d in per.values())
            rows.append(
                {
                    "label": f"{run.name}/{name}" if label_runs else name,
                    "run": run.name,
                    "method": name,
                    "datasets": {
                        d: {k: v.get(k) for k in ("n", "accuracy", "ci95", "unparseable")}
                        for d, v in per.items()
                    },
                    "tasks": {d: v.get("tasks", {}) for d, v in per.items()},
                    "average": m.get("average"),
                    "in_domain": (m.get("in_domain") or {}).get("average"),
                    "out_of_domain": (m.get("out_of_domain") or {}).get("average"),
                    "relative_flops": ref_cost / unit if ref_cost and unit else None,
                    "prefill_flops_per_example": m.get("prefill_flops", 0) / n if n else None,
                    "flops_per_example": m.get("flops", 0) / n if n else None,
                    "tokens_per_second": _rate(per),
                    "unparseable": m.get("unparseable"),
                }
            )
    return rows


def _rate(per: dict[str, Any]) -> float | None:
    tokens = sum(d.get("generated_tokens", 0) for d in per.values())
    seconds = sum(d.get("generation_seconds", 0) for d in per.values())
    return round(tokens / seconds, 2) if seconds else None


def pct(value: float | None, ci: list[float] | None = None) -> str:
    """`41.2` or `41.2 [35.0, 47.5]`; `-` when missing."""
    if value is None:
        return "-"
    text = f"{100 * value:.1f}"
    return f"{text} [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]" if ci else text


def _markdown(header: list[str], body: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = [header, align, *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def main_table(rows: list[dict[str, Any]], datasets: list[str], in_domain: list[str]) -> str:
    """Paper Table 1: methods x datasets (ID/OOD marked), average, relative FLOPs."""
    header = ["Method"] + [f"{d} ({'ID' if d in in_domain else 'OOD'})" for d in datasets]
    header += ["Avg", "Rel. FLOPs", "unparseable"]
    body = []
    for row in rows:
        cells = [pct(*_acc(row["datasets"].get(d))) for d in datasets]
        rel = row["relative_flops"]
        cells += [pct(row["average"]), "-" if rel is None else f"x{rel:.2f}"]
        body.append([row["label"], *cells, str(row["unparseable"])])
    return _markdown(header, body)


def _acc(entry: dict[str, Any] | None) -> tuple[float | None, list[float] | None]:
    return (entry["accuracy"], entry.get("ci95")) if entry else (None, None)


def task_table(rows: list[dict[str, Any]], dataset: str) -> str | None:
    """One dataset's tasks as rows, methods as columns (accuracy %, n)."""
    tasks = sorted({t for row in rows for t in row["tasks"].get(dataset, {})})
    if len(tasks) < 2:
        return None
    header = ["Task", "n"] + [row["label"] for row in rows]
    body = []
    for task in tasks:
        entries = [row["tasks"].get(dataset, {}).get(task) for row in rows]
        n = next((e["n"] for e in entries if e), 0)
        body.append([task, str(n)] + [pct(e["accuracy"]) if e else "-" for e in entries])
    return _markdown(header, body)


def cost_table(rows: list[dict[str, Any]]) -> str:
    """Inference cost per method: FLOPs per example (prefill, full), measured tokens/s."""
    header = ["Method", "prefill FLOPs/example", "full FLOPs/example", "tokens/s"]
    body = [
        [
            row["label"],
            _sci(row["prefill_flops_per_example"]),
            _sci(row["flops_per_example"]),
            "-" if row["tokens_per_second"] is None else f"{row['tokens_per_second']:.1f}",
        ]
        for row in rows
    ]
    return _markdown(header, body)


def _sci(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"

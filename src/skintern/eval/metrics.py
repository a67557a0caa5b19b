"""Scores and costs from prediction rows: accuracy, bootstrap CI, unparseable counts, FLOPs.

Pure functions over the rows of `RUN/eval/METHOD/DATASET/predictions.jsonl` (see
`skintern.eval.stage`); accuracies are fractions in [0, 1], FLOPs are integers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np


def bootstrap_ci(
    correct: Sequence[bool], samples: int = 1000, seed: int = 0, level: float = 0.95
) -> list[float] | None:
    """Percentile bootstrap interval of the mean of `correct`, or None (no data or no samples)."""
    if not correct or samples <= 0:
        return None
    values = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(samples, len(values)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return [round(float(low), 6), round(float(high), 6)]


def accuracy_of(rows: Sequence[dict[str, Any]], samples: int = 0, seed: int = 0) -> dict[str, Any]:
    """`{"n", "correct", "accuracy", "ci95"}` of rows with a boolean `correct`."""
    correct = [bool(row["correct"]) for row in rows]
    n = len(correct)
    return {
        "n": n,
        "correct": sum(correct),
        "accuracy": sum(correct) / n if n else None,
        "ci95": bootstrap_ci(correct, samples, seed),
    }


def cost_of(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Token, FLOPs and time totals of rows; per-example means; generated tokens per second."""
    n = len(rows)
    prefill = sum(int(row["prefill_flops"]) for row in rows)
    full = sum(int(row["flops"]) for row in rows)
    generated = sum(int(row["generated_tokens"]) for row in rows)
    seconds = sum(float(row["latency_s"]) for row in rows)
    return {
        "prompt_tokens": sum(int(row["prompt_tokens"]) for row in rows),
        "generated_tokens": generated,
        "prefill_flops": prefill,
        "flops": full,
        "prefill_flops_per_example": prefill / n if n else None,
        "flops_per_example": full / n if n else None,
        "generation_seconds": round(seconds, 3),
        "tokens_per_second": round(generated / seconds, 2) if seconds > 0 else None,
    }


def summarize(rows: Sequence[dict[str, Any]], samples: int = 1000, seed: int = 0) -> dict[str, Any]:
    """The metrics of one method on one dataset: overall, per task, failures and cost."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_task[row["task"]].append(row)
    extractors = sorted({f"{r['extractor']}@{r['extractor_version']}" for r in rows})
    return {
        **accuracy_of(rows, samples, seed),
        "tasks": {task: accuracy_of(part, samples, seed) for task, part in sorted(by_task.items())},
        "unparseable": sum(1 for row in rows if row.get("extracted") is None),
        "empty_outputs": sum(1 for row in rows if not (row.get("output") or "").strip()),
        "finish": dict(sorted(Counter(row.get("finish", "?") for row in rows).items())),
        "extractors": extractors,
        **cost_of(rows),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(per_dataset: dict[str, dict[str, Any]], in_domain: Sequence[str]) -> dict[str, Any]:
    """Macro averages over datasets: all, in-domain and out-of-domain (paper Table 1 "Avg")."""
    scored = {name: m["accuracy"] for name, m in per_dataset.items() if m["accuracy"] is not None}
    inside = [acc for name, acc in scored.items() if name in in_domain]
    outside = [acc for name, acc in scored.items() if name not in in_domain]
    return {
        "average": _mean(list(scored.values())),
        "in_domain": {"datasets": sorted(set(scored) & set(in_domain)), "average": _mean(inside)},
        "out_of_domain": {
            "datasets": sorted(set(scored) - set(in_domain)),
            "average": _mean(outside),
        },
        "unparseable": sum(m["unparseable"] for m in per_dataset.values()),
        "prefill_flops": sum(m["prefill_flops"] for m in per_dataset.values()),
        "flops": sum(m["flops"] for m in per_dataset.values()),
        "generation_seconds": round(sum(m["generation_seconds"] for m in per_dataset.values()), 3),
    }

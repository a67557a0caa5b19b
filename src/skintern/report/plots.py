"""PNG plots of a report (matplotlib, Agg backend: no display needed).

- accuracy against inference FLOPs per example, one colour per method (paper Figure 3);
- training loss over optimizer steps, coloured by schedule step (SKIntern's S_t stages);
- accuracy per task, methods side by side.
Each function returns the written path, or None when there is nothing to draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: files only, never a window

import matplotlib.pyplot as plt  # noqa: E402

_MARKERS = "osD^vP*Xh<>"


def accuracy_vs_flops(rows: list[dict[str, Any]], datasets: list[str], out: Path) -> Path | None:
    """Accuracy (%) against full inference FLOPs per example, a point per (method, dataset)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    drawn = False
    colors = plt.get_cmap("tab10")
    for i, row in enumerate(rows):
        x = row["flops_per_example"]
        for j, dataset in enumerate(datasets):
            entry = row["datasets"].get(dataset)
            if x is None or not entry or entry["accuracy"] is None:
                continue
            marker = _MARKERS[j % len(_MARKERS)]
            ax.scatter(x, 100 * entry["accuracy"], color=colors(i % 10), marker=marker, s=50)
            drawn = True
        ax.scatter([], [], color=colors(i % 10), label=row["label"])  # legend entry only
    if not drawn:
        plt.close(fig)
        return None
    for j, dataset in enumerate(datasets):
        ax.scatter([], [], color="grey", marker=_MARKERS[j % len(_MARKERS)], label=dataset)
    ax.set_xscale("log")
    ax.set_xlabel("inference FLOPs per example (prompt + generated tokens)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy against inference cost")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, out)


def training_loss(logs: dict[str, list[dict[str, Any]]], out: Path) -> Path | None:
    """Loss over global steps per method; each schedule step its own colour."""
    logs = {name: rows for name, rows in logs.items() if rows}
    if not logs:
        return None
    fig, axes = plt.subplots(len(logs), 1, figsize=(7, 3 * len(logs)), squeeze=False)
    colors = plt.get_cmap("viridis")
    for ax, (name, rows) in zip(axes[:, 0], logs.items(), strict=True):
        steps = sorted({int(r.get("schedule_step", 1)) for r in rows})
        for k, step in enumerate(steps):
            part = [r for r in rows if int(r.get("schedule_step", 1)) == step]
            x = [r.get("global_step", i) for i, r in enumerate(part)]
            s_t = part[0].get("S_t")
            label = f"step {step}" + (f" (S_t={s_t:.2f})" if isinstance(s_t, float) else "")
            shade = colors(k / max(len(steps) - 1, 1))
            ax.plot(x, [r["loss"] for r in part], color=shade, label=label, lw=1.2)
        ax.set_title(f"{name}: training loss")
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _save(fig, out)


def task_accuracy(rows: list[dict[str, Any]], out: Path) -> Path | None:
    """Horizontal bars: accuracy per (dataset, task), one bar per method."""
    tasks = sorted({(d, t) for row in rows for d, ts in row["tasks"].items() for t in ts})
    if not tasks:
        return None
    height = 0.8 / len(rows)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(tasks) * max(1, len(rows) / 2) + 1.5))
    colors = plt.get_cmap("tab10")
    for i, row in enumerate(rows):
        values = []
        for dataset, task in tasks:
            entry = row["tasks"].get(dataset, {}).get(task)
            values.append(100 * entry["accuracy"] if entry and entry["accuracy"] is not None else 0)
        ys = [k + i * height for k in range(len(tasks))]
        ax.barh(ys, values, height=height, color=colors(i % 10), label=row["label"])
    ax.set_yticks([k + 0.4 - height / 2 for k in range(len(tasks))])
    ax.set_yticklabels([t if t == d else f"{d}: {t}" for d, t in tasks], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy (%)")
    ax.set_xlim(0, 100)
    ax.set_title("Accuracy per task")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, out)


def _save(fig: Any, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out

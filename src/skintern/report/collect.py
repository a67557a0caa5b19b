"""Read what a run directory's eval and train stages wrote, for the report (tolerant of gaps).

Reads: `RUN/eval/manifest.json`, `RUN/eval/METHOD/metrics.json`, `RUN/train/METHOD/train_log.jsonl`.
A run without eval output is a `DataError`; a method without a training log just has no curve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skintern.errors import DataError
from skintern.files import read_json


@dataclass
class RunResult:
    """One run's evaluated methods, the relative-FLOPs reference and the training logs."""

    name: str
    path: Path
    methods: dict[str, dict[str, Any]]  # method -> RUN/eval/METHOD/metrics.json
    reference: dict[str, Any] | None
    in_domain: list[str]
    train_logs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def read_run(path: Path) -> RunResult:
    """The eval results of one run directory."""
    manifest_path = path / "eval" / "manifest.json"
    if not manifest_path.is_file():
        raise DataError(
            "no evaluation results in this run directory",
            where=str(manifest_path),
            hint="run `skintern eval --run-dir RUN` first",
        )
    manifest = read_json(manifest_path)
    methods = {}
    for name in manifest.get("methods", {}):
        metrics = path / "eval" / name / "metrics.json"
        if metrics.is_file():
            methods[name] = read_json(metrics)
    if not methods:
        raise DataError("the eval manifest lists no method with metrics", where=str(manifest_path))
    return RunResult(
        name=path.resolve().name,
        path=path,
        methods=methods,
        reference=manifest.get("reference"),
        in_domain=list(manifest.get("config", {}).get("in_domain", ["bbh", "gsm8k"])),
        train_logs={name: read_train_log(path, name) for name in methods},
    )


def read_train_log(run_dir: Path, method: str) -> list[dict[str, Any]]:
    """The loss rows of `RUN/train/METHOD/train_log.jsonl`; [] when absent. Bad lines are skipped
    (a log being written may end mid-line; a report must not fail on it)."""
    path = run_dir / "train" / method / "train_log.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and isinstance(row.get("loss"), int | float):
            rows.append(row)
    return rows

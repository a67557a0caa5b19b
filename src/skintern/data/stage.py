"""Stage `data`: writes a run's datasets as canonical JSONL.

Reads: the data root (or the hub / installed packages, per loader).
Writes: `RUN/data/{train,test}/NAME.jsonl`, `RUN/data/manifest.json`.
CLI: `skintern data --config CONFIG --run-dir RUN`.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from skintern.data import load
from skintern.data.config import DataConfig, DatasetSpec
from skintern.data.example import Example
from skintern.data.loaders.files import load_file
from skintern.errors import DataError
from skintern.files import read_jsonl
from skintern.rundir import write_jsonl, write_manifest


def load_spec(spec: DatasetSpec, split: str, cfg: DataConfig) -> list[Example]:
    """The examples of one configured dataset and split, per-task `limit` applied."""
    tasks = spec.tasks or [None]
    examples: list[Example] = []
    for task in tasks:
        part = _load_part(spec, split, cfg, task)
        if spec.limit is not None:
            per_task: Counter[str] = Counter()
            kept = []
            for example in part:
                per_task[example.task] += 1
                if per_task[example.task] <= spec.limit:
                    kept.append(example)
            part = kept
        examples += part
    if not examples:
        raise DataError(f"dataset {spec.name!r} has no {split} examples for tasks {spec.tasks}")
    return examples


def _load_part(spec: DatasetSpec, split: str, cfg: DataConfig, task: str | None) -> list[Example]:
    """One task of a registered dataset, or of a user file when the spec has a `path`."""
    if spec.path is None:
        return load(spec.name, split, data_dir=cfg.data_dir, task=task, seed=cfg.seed)
    part = load_file(
        spec.path,
        dataset=spec.name,
        split=split,
        fields=spec.fields,
        answer_type=spec.answer_type,
        seed=cfg.seed,
        seeded_split=spec.seeded_split,
    )
    return part if task is None else [example for example in part if example.task == task]


def run(cfg: DataConfig, run_dir: Path) -> dict[str, Any]:
    """Write every configured dataset's split to the run directory; returns the manifest."""
    started = time.time()
    counts: dict[str, dict[str, int]] = {}
    for split, specs in (("train", cfg.train), ("test", cfg.test)):
        for spec in specs:
            examples = load_spec(spec, split, cfg)
            path = run_dir / "data" / split / f"{spec.name}.jsonl"
            counts.setdefault(split, {})[spec.name] = write_jsonl(
                path, (example.to_dict() for example in examples)
            )
    return write_manifest(
        run_dir / "data",
        stage="data",
        config=cfg.model_dump(mode="json"),
        counts=counts,
        seconds=round(time.time() - started, 2),
    )


def read_split(run_dir: Path, split: str) -> list[Example]:
    """The examples a previous `data` stage wrote for `split`, all datasets together."""
    folder = run_dir / "data" / split
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise DataError(
            f"no {split} data in the run directory", where=str(folder), hint="run `skintern data`"
        )
    return [Example.from_dict(row) for path in files for row in read_jsonl(path)]

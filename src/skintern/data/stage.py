"""Stage `data`: writes a run's datasets as canonical JSONL.

Reads: the data root (or the hub / installed packages, per loader).
Writes: `RUN/data/{train,test}/NAME.jsonl`, `RUN/data/manifest.json`.
CLI: `skintern data --config CONFIG --run-dir RUN`.
"""

from __future__ import annotations

import random
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
    """The examples of one configured dataset and split, per-task `sample` and `limit` applied."""
    tasks = spec.tasks or [None]
    examples: list[Example] = []
    for task in tasks:
        part = _load_part(spec, split, cfg, task)
        if spec.sample is not None:
            part = seeded_sample(part, spec.sample, cfg.seed)
        if spec.limit is not None:
            part = first_per_task(part, spec.limit)
        examples += part
    if not examples:
        raise DataError(f"dataset {spec.name!r} has no {split} examples for tasks {spec.tasks}")
    return examples


def first_per_task(examples: list[Example], limit: int) -> list[Example]:
    """The first `limit` examples of each task."""
    per_task: Counter[str] = Counter()
    kept = []
    for example in examples:
        per_task[example.task] += 1
        if per_task[example.task] <= limit:
            kept.append(example)
    return kept


def seeded_sample(examples: list[Example], size: int, seed: int) -> list[Example]:
    """`size` examples of each task drawn at random (seeded), in their original order."""
    by_task: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_task.setdefault(example.task, []).append(index)
    rng = random.Random(seed)
    chosen = sorted(
        i for indices in by_task.values() for i in rng.sample(indices, min(size, len(indices)))
    )
    return [examples[i] for i in chosen]


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

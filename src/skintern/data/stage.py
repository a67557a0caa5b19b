"""Stage `data`: writes a run's datasets as canonical JSONL.

Reads: the data root (or the hub / installed packages, per loader).
Writes: `RUN/data/{train,test}/NAME.jsonl`, `RUN/data/manifest.json` (typed:
`skintern.data.manifest`, listing every file written; readers take only those).
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
from skintern.data.manifest import Split, data_dir, split_files
from skintern.errors import DataError
from skintern.files import read_jsonl
from skintern.rundir import fingerprint, write_jsonl, write_manifest


def load_spec(
    spec: DatasetSpec, split: str, cfg: DataConfig, exclude: frozenset[str] = frozenset()
) -> list[Example]:
    """The examples of one configured dataset and split, less the ids in `exclude`, per-task
    `sample` and `limit` applied."""
    tasks = spec.tasks or [None]
    examples: list[Example] = []
    for task in tasks:
        part = [e for e in _load_part(spec, split, cfg, task) if e.id not in exclude]
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
    """Write every configured dataset's split to the run directory; returns the manifest.

    Everything is loaded before anything is written, so a dataset that fails to load leaves the
    run directory as it was.
    """
    started = time.time()
    train = {spec.name: load_spec(spec, "train", cfg) for spec in cfg.train}
    # A test entry read from a train split (a validation slice) never holds a training question.
    trained = frozenset(e.id for examples in train.values() for e in examples)
    test = {spec.name: load_spec(spec, spec.split or "test", cfg, trained) for spec in cfg.test}
    config = cfg.model_dump(mode="json")
    return write_splits(run_dir, {"train": train, "test": test}, config, started)


def write_splits(
    run_dir: Path,
    splits: dict[str, dict[str, list[Example]]],
    config: dict[str, Any] | None = None,
    started: float | None = None,
) -> dict[str, Any]:
    """Write split -> dataset -> examples as `RUN/data/SPLIT/DATASET.jsonl` and the manifest that
    lists them; split files an earlier config left in the folders are removed."""
    started = time.time() if started is None else started
    counts: dict[str, dict[str, int]] = {}
    files: dict[str, list[dict[str, Any]]] = {}
    for split, datasets in splits.items():
        for name, examples in datasets.items():
            path = data_dir(run_dir) / split / f"{name}.jsonl"
            n = write_jsonl(path, (example.to_dict() for example in examples))
            counts.setdefault(split, {})[name] = n
            entry = {"dataset": name, "file": f"{split}/{path.name}", "examples": n}
            files.setdefault(split, []).append({**entry, "fingerprint": fingerprint(path)})
    _remove_unlisted(run_dir, files)
    return write_manifest(
        data_dir(run_dir),
        stage="data",
        config=config or {},
        files=files,
        counts=counts,
        seconds=round(time.time() - started, 2),
    )


def _remove_unlisted(run_dir: Path, files: dict[str, list[dict[str, Any]]]) -> None:
    """Delete split files of an earlier config (this stage owns RUN/data/{train,test}/)."""
    listed = {entry["file"] for entries in files.values() for entry in entries}
    for split in ("train", "test"):
        for path in sorted((data_dir(run_dir) / split).glob("*.jsonl")):
            if f"{split}/{path.name}" not in listed:
                path.unlink()


def read_split(run_dir: Path, split: Split) -> list[Example]:
    """The examples the `data` stage wrote for `split`, all its datasets together.

    Only the files its manifest lists are read: never a file an earlier config left behind.
    """
    paths = split_files(Path(run_dir), split)
    if not paths:
        raise DataError(
            f"no {split} data in the run directory",
            where=str(data_dir(Path(run_dir)) / "manifest.json"),
            hint=f"add a dataset to data.{split} and rerun `skintern data`",
        )
    return [Example.from_dict(row) for path in paths for row in read_jsonl(path)]

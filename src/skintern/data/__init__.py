"""Canonical data layer: every benchmark becomes a list of `Example`s.

Python entry point (fixed): `skintern.data.load(name, split="test", data_dir=None, task=None)`.
CLI: `skintern data stats [--config FILE]`, `skintern data --config FILE --run-dir DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path

from skintern.data import loaders as _loaders  # noqa: F401  (registers every dataset)
from skintern.data.example import AnswerType, Example
from skintern.data.registry import datasets
from skintern.data.split import check_split

DEFAULT_SEED = 0


def load(
    name: str,
    split: str = "test",
    data_dir: str | os.PathLike[str] | None = None,
    task: str | None = None,
    seed: int = DEFAULT_SEED,
) -> list[Example]:
    """Load dataset `name` (`bbh`, `bbsub`, `agieval`, `arc-e`, `arc-c`, `gsm8k`, `mmlu`, `csqa`,
    `strategyqa`) as `Example`s.

    Args:
        name: a registered dataset name.
        split: `train`, `test` or `all`.
        data_dir: a root laid out like `shared/data`; default `$SKINTERN_DATA_DIR`, else
            `../shared/data` beside the checkout.
        task: one subtask (a BBH task, an AGIEval subset); None for all.
        seed: seed of the deterministic split where the dataset has no official one.
    """
    loader = datasets.get(name)
    check_split(split)
    return loader(Path(data_dir) if data_dir is not None else None, split, task, seed)


__all__ = ["AnswerType", "Example", "datasets", "load"]

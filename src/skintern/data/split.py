"""Deterministic train/test splits by seed (per task, so every task keeps its share)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from skintern.errors import ConfigError

T = TypeVar("T")

SPLITS = ("train", "test", "all")
TEST_FRACTION = 0.2  # CasCoD / SKIntern: about 80/20 per BBH task


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")


def split_items(
    items: Sequence[T], split: str, *, seed: int, key: str, test_fraction: float = TEST_FRACTION
) -> list[T]:
    """The `split` part of `items`, chosen by a shuffle seeded with (`seed`, `key`).

    `all` keeps file order; `train` and `test` keep file order within each part, so the same
    seed always gives the same questions in the same order on every machine.
    """
    check_split(split)
    if split == "all":
        return list(items)
    order = list(range(len(items)))
    random.Random(f"{seed}:{key}").shuffle(order)
    n_test = round(len(items) * test_fraction)
    test = set(order[:n_test])
    wanted = split == "test"
    return [item for i, item in enumerate(items) if (i in test) == wanted]

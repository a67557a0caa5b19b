"""The dataset registry: a loader turns files under a data root into `Example`s.

A loader is `loader(data_dir, split, task, seed) -> list[Example]`, where `data_dir` is the
user's data root or None (the loader resolves the default itself: some need no data root).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from skintern.data.example import Example
from skintern.registry import Registry

Loader = Callable[["Path | None", str, "str | None", int], list[Example]]

datasets: Registry[Loader] = Registry("dataset")

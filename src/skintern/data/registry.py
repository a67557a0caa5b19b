"""The dataset registry: a loader turns files under a data root into `Example`s.

A loader is `loader(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from skintern.data.example import Example
from skintern.registry import Registry

Loader = Callable[["Path | None", str, "str | None", int], list[Example]]

datasets: Registry[Loader] = Registry("dataset")

"""Hugging Face hub fallback: the rows of a hub dataset when the local file is missing.

Off by default, since most machines that run skintern have no hub access and a silent download
attempt would only add a slow timeout. Turn it on with either:

- `SKINTERN_ALLOW_HUB=1`: a loader whose local file is missing calls `datasets.load_dataset` on the
  hub repository (`openai/gsm8k`, `allenai/ai2_arc`, `hails/agieval-<subset>`). `HF_HUB_OFFLINE=1`
  is honoured by `datasets` itself: then only copies already in the Hugging Face cache load.
- `SKINTERN_HUB_MIRROR=DIR`: read `DIR/<owner>/<name>` instead of the hub, a local copy in the
  hub's repository layout (e.g. a `git clone` of the dataset repo, README.md with its `configs:`
  header and the parquet/JSONL files). This is how the fallback is tested offline.

Any failure (no network, repository or config not found, offline mode) becomes a `DataError` that
names the missing local file and how to get it, never a hub traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.errors import DataError
from skintern.paths import cache_dir, data_root

ALLOW_ENV = "SKINTERN_ALLOW_HUB"
MIRROR_ENV = "SKINTERN_HUB_MIRROR"


@dataclass(frozen=True)
class HubSource:
    """Where one split of a dataset lives on the hub: `load_dataset(repo, config, split=split)`."""

    repo: str
    config: str | None
    split: str


def local_root(data_dir: Path | None) -> Path:
    """The data root, or (with the hub enabled) the root that was looked for, so a machine with
    hub access and no local data folder still loads every dataset from the hub."""
    try:
        return data_root(data_dir)
    except DataError as err:
        if not hub_enabled():
            raise
        return Path(err.where or "data")


def hub_enabled() -> bool:
    """Whether loaders may fall back to the hub (or a local mirror of it)."""
    allow = os.environ.get(ALLOW_ENV, "").strip().lower()
    return allow in {"1", "true", "yes", "on"} or bool(os.environ.get(MIRROR_ENV))


def missing_file_error(missing: Path, source: HubSource, *, reason: str | None = None) -> DataError:
    """The error for a local file that is absent and could not be replaced from the hub."""
    what = f"hub dataset {source.repo!r}" + (
        f" (config {source.config!r})" if source.config else ""
    )
    hint = (
        "put the file there (layout: shared/data/README.md) or point SKINTERN_DATA_DIR at a "
        "folder that has it, "
    )
    if reason is None:
        return DataError(
            "file not found",
            where=str(missing),
            hint=hint + f"or set {ALLOW_ENV}=1 on a machine with network to read the {what}",
        )
    return DataError(
        f"file not found, and the {what} could not be loaded either: {reason}",
        where=str(missing),
        hint=hint + "or check the network (and HF_HUB_OFFLINE, which allows only cached copies)",
    )


def hub_rows(source: HubSource, *, missing: Path) -> list[dict[str, Any]]:
    """The rows of `source` as plain dicts, or a `DataError` naming the missing local file.

    Args:
        source: the hub repository, config and split to read.
        missing: the local file the loader looked for first (named in every error).
    """
    if not hub_enabled():
        raise missing_file_error(missing, source)
    try:
        import datasets as hf_datasets  # heavy import, only when the fallback is used
    except ImportError:
        raise missing_file_error(
            missing, source, reason="the `datasets` package is not installed"
        ) from None
    mirror = os.environ.get(MIRROR_ENV)
    target = str(Path(mirror) / source.repo) if mirror else source.repo
    # A mirror is local data: its prepared Arrow files go to skintern's cache, not the shared
    # Hugging Face cache (which keeps real hub downloads, so HF_HUB_OFFLINE=1 can reuse them).
    cache = str(cache_dir() / "hub-mirror") if mirror else None
    if mirror and not Path(target).is_dir():
        raise missing_file_error(missing, source, reason=f"no mirror folder {target}")
    try:
        table = hf_datasets.load_dataset(target, source.config, split=source.split, cache_dir=cache)
    except Exception as err:  # noqa: BLE001  the hub raises many types (HTTP, offline, not found)
        first_line = (str(err).strip().splitlines() or [""])[0][:300]
        raise missing_file_error(
            missing, source, reason=f"{type(err).__name__}: {first_line}"
        ) from None
    return [dict(row) for row in table]

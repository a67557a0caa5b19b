"""`RUN/data/manifest.json`, typed: the split files the data stage wrote, and nothing else.

Readers take exactly the files listed here, so a dataset written by an earlier config in the
same run directory is never read as this run's (`read_split`, `split_files`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skintern.errors import DataError
from skintern.rundir import read_manifest

Split = Literal["train", "test"]
HINT = "run `skintern data` (or `skintern run`) for this run directory"


class SplitFile(BaseModel):
    """One dataset's examples of one split."""

    model_config = ConfigDict(extra="forbid")

    dataset: str
    file: str = Field(description="Path relative to RUN/data, e.g. train/bbh.jsonl.")
    examples: int
    fingerprint: str


class DataManifest(BaseModel):
    """What `skintern data` wrote."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["data"]
    config: dict[str, Any]
    files: dict[Split, list[SplitFile]]
    counts: dict[str, dict[str, int]]  # split -> dataset -> examples (the CLI's summary)
    seconds: float
    versions: dict[str, str]


def data_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "data"


def read_data_manifest(run_dir: Path) -> DataManifest:
    return read_manifest(data_dir(run_dir) / "manifest.json", DataManifest, hint=HINT)


def has_data(run_dir: Path) -> bool:
    """Whether the data stage has run in `run_dir` (its manifest is there)."""
    return (data_dir(run_dir) / "manifest.json").is_file()


def split_files(run_dir: Path, split: Split) -> list[Path]:
    """The files of `split` the data stage listed (possibly none), checked to be there."""
    manifest = read_data_manifest(run_dir)
    paths = []
    for entry in manifest.files.get(split, []):
        path = data_dir(run_dir) / entry.file
        if not path.is_file():
            raise DataError("a file the data stage wrote is gone", where=str(path), hint=HINT)
        paths.append(path)
    return paths

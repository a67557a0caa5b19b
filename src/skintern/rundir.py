"""Atomic artifacts and manifests: every stage writes through these, so nothing is half-written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import IO, Any, TypeVar

M = TypeVar("M")
_VERSIONED = ("skintern", "torch", "transformers", "peft", "accelerate", "datasets", "bm25s")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; artifacts get normal modes
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    with atomic_open(path) as handle:
        json.dump(obj, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows atomically; returns how many were written."""
    count = 0
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def fingerprint(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes (first 16 hex digits), to tell whether a stage's input changed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def write_manifest(stage_dir: str | os.PathLike[str], **fields: Any) -> dict[str, Any]:
    """Write `stage_dir/manifest.json` with the given fields plus library versions."""
    manifest = {**fields, "versions": library_versions()}
    write_json(Path(stage_dir) / "manifest.json", manifest)
    return manifest


def read_manifest(path: str | os.PathLike[str], model: type[M], *, hint: str) -> M:
    """A stage's `manifest.json` as its typed model, or a `DataError` naming the file.

    A missing, malformed or older-format manifest is an error the user fixes by running the
    stage again (`hint`), never a `KeyError` later on.
    """
    from pydantic import ValidationError

    from skintern.errors import DataError

    path = Path(path)
    if not path.is_file():
        raise DataError("no manifest: the stage has not run here", where=str(path), hint=hint)
    try:
        return model.model_validate_json(path.read_bytes())  # type: ignore[attr-defined]
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise DataError(
            f"manifest not in the expected format ({key}: {first['msg']}); it was written by "
            "another version of skintern or edited by hand",
            where=str(path),
            hint=hint,
        ) from None

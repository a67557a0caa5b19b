"""Build a model folder once into `cache_dir()/models/NAME/`, atomically, one process at a time.

A build writes into a hidden temporary folder beside the target and is renamed into place only
when it has finished, with a marker file last; so a killed conversion never leaves a half folder
that a later run would mistake for a model. A lock file keeps concurrent processes (parallel test
runs, several users of one cache) from converting the same model twice at once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from skintern.errors import DataError, ModelError
from skintern.files import read_json
from skintern.paths import cache_dir
from skintern.rundir import library_versions, write_json

try:  # POSIX only; elsewhere two processes may both build and the second rename is dropped.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MARKER = "skintern-model.json"
CONFIG = "config.json"


def models_root() -> Path:
    """The folder holding every converted or generated model: `cache_dir()/models`."""
    return cache_dir() / "models"


def marker(folder: Path) -> dict[str, Any] | None:
    """The build marker of a cached model folder, or None when it is absent or unreadable."""
    path = folder / MARKER
    if not path.is_file():
        return None
    try:
        info = read_json(path)
    except DataError:  # a damaged marker means "rebuild", never a crash
        return None
    return info if isinstance(info, dict) else None


def is_current(folder: Path, version: int) -> bool:
    """Whether `folder` holds a finished build of format `version` (with its config.json: a
    folder that lacks it was built wrongly, see `build_once`, and is rebuilt)."""
    info = marker(folder)
    return info is not None and info.get("format") == version and (folder / CONFIG).is_file()


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _remove_leftovers(root: Path, name: str) -> None:
    # Only called under the lock: any temporary folder left is from a killed build.
    if fcntl is None:  # pragma: no cover - without a lock another process may own it
        return
    for stale in root.glob(f".{name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def build_once(
    name: str, version: int, build: Callable[[Path], dict[str, Any]], *, root: Path | None = None
) -> Path:
    """The cached folder `root/name`, built by `build(tmp_dir)` first if it is absent or stale.

    Args:
        name: folder name (the alias).
        version: format version; a cached folder with another version is rebuilt.
        build: writes the model into the empty folder it is given and returns facts to record in
            the marker (source, sizes).
        root: parent folder; defaults to `models_root()`.
    """
    root = models_root() if root is None else root
    final = root / name
    if is_current(final, version):
        return final
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root / f".{name}.lock"):
        if is_current(final, version):  # another process finished it while we waited
            return final
        _remove_leftovers(root, name)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
        try:
            start = time.perf_counter()
            facts = build(tmp)
            if not (tmp / CONFIG).is_file():
                # e.g. save_pretrained on a data-parallel rank other than 0 writes nothing
                raise ModelError(
                    f"building model {name!r} wrote no {CONFIG}; nothing was cached",
                    where=str(final),
                    hint="build it once in a single process (`skintern models info "
                    f"{name}`), then launch the processes",
                )
            seconds = round(time.perf_counter() - start, 2)
            info = {"alias": name, "format": version, "build_seconds": seconds, **facts}
            write_json(tmp / MARKER, {**info, "versions": library_versions()})
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a cache is shared
            if final.exists():  # an older format: replace it
                shutil.rmtree(final)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final

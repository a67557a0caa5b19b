"""The compression cache: each knowledge text is compressed once per (compressor, rate, seed).

Keys are sha256 of (knowledge text hash, compressor name and version, rate, seed), so the T steps
of a run, reruns, and examples that share task-level knowledge all reuse one compression. The cache
lives in `RUN/curriculum/compressions.jsonl` and is rewritten atomically.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from skintern.curriculum.compressors.base import Compressor
from skintern.files import read_jsonl
from skintern.rundir import write_jsonl


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(text: str, compressor: Compressor, rate: float, seed: int = 0) -> str:
    parts = (text_hash(text), compressor.name, compressor.version, f"{rate:.6f}", str(seed))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


class CompressionCache:
    """A dict of compressions persisted as JSONL; `hits` and `misses` count lookups."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._entries: dict[str, str] = {}
        self.hits = 0
        self.misses = 0
        if path is not None and path.is_file() and path.stat().st_size:
            self._entries = {row["key"]: row["text"] for row in read_jsonl(path)}

    def compress(self, compressor: Compressor, text: str, rate: float, seed: int = 0) -> str:
        """`compressor.compress(text, rate)`, computed once per key."""
        key = cache_key(text, compressor, rate, seed)
        if key in self._entries:
            self.hits += 1
        else:
            self.misses += 1
            self._entries[key] = compressor.compress(text, rate)
        return self._entries[key]

    def save(self) -> None:
        if self.path is not None and self._entries:
            write_jsonl(self.path, ({"key": k, "text": v} for k, v in self._entries.items()))

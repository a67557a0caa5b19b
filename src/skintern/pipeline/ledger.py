"""`RUN/pipeline.json`: what `skintern run` last did per stage, to skip what is current.

A stage's *key* is a hash of what decides its outputs: its config section and the fingerprints of
the files it reads. When a stage finishes, its key and the fingerprints of the files it wrote are
recorded; it is current while the key is the same and those files are still there, unchanged (a
stage run by hand with other settings changes them, and the pipeline runs it again). A stage's
key is also recorded when it starts, so a rerun can tell an interrupted run of the same work
(resume it) from leftovers of other work (start over).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skintern.files import read_json
from skintern.rundir import fingerprint, write_json

LEDGER = "pipeline.json"


def key_of(config: Any, inputs: dict[str, str]) -> str:
    """A short hash of a stage's config and its input fingerprints."""
    text = json.dumps({"config": config, "inputs": inputs}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(run_dir: Path, patterns: Iterable[str]) -> dict[str, str]:
    """Relative path -> fingerprint of every file under `run_dir` matching a glob pattern."""
    found: dict[str, str] = {}
    for pattern in patterns:
        for path in sorted(run_dir.glob(pattern)):
            if path.is_file() and not path.name.startswith("."):
                found[str(path.relative_to(run_dir))] = fingerprint(path)
    return found


class Ledger:
    """The per-stage records of one run directory (read once, written after each change)."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.path = run_dir / LEDGER
        self.stages: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                self.stages = dict(read_json(self.path).get("stages", {}))
            except (ValueError, OSError, AttributeError):
                self.stages = {}  # an unreadable ledger only costs a rerun of every stage

    def current(self, stage: str, key: str) -> bool:
        """Whether `stage` finished with `key` and its outputs are there, unchanged."""
        entry = self.stages.get(stage, {})
        outputs = entry.get("outputs")
        if entry.get("done") != key or not outputs:
            return False
        for rel, digest in outputs.items():
            path = self.run_dir / rel
            if not path.is_file() or fingerprint(path) != digest:
                return False
        return True

    def started(self, stage: str) -> str | None:
        """The key `stage` last started with (finished or not), None if never."""
        return self.stages.get(stage, {}).get("started")

    def extra(self, stage: str) -> dict[str, Any]:
        return dict(self.stages.get(stage, {}).get("extra", {}))

    def start(self, stage: str, key: str, **extra: Any) -> None:
        entry = self.stages.setdefault(stage, {})
        entry.update(started=key, done=None, outputs={})
        if extra:
            entry["extra"] = extra
        self._save()

    def finish(self, stage: str, key: str, outputs: dict[str, str]) -> None:
        self.stages.setdefault(stage, {}).update(started=key, done=key, outputs=outputs)
        self._save()

    def _save(self) -> None:
        write_json(self.path, {"stages": self.stages})

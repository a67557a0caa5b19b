"""`predictions.jsonl`: rows appended as they come, read back on a rerun to skip what is done.

A run killed mid-write leaves at most one truncated last line; `read_done` drops it (and cuts
the file back to its last complete line) so the rerun redoes that one example. A malformed line
anywhere else is damage, not an interruption, and is reported with its line number.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skintern.errors import ResumeError


def read_done(path: Path) -> list[dict[str, Any]]:
    """The complete rows of `path` (none if it does not exist), repairing a truncated tail."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    rows: list[dict[str, Any]] = []
    good_bytes = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            good_bytes += len(line) + 1
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if lineno == len(lines):  # the unterminated last line: an interrupted write
                break
            raise ResumeError(
                "malformed prediction line (not an interrupted write)",
                where=f"{path}:{lineno}",
                hint="delete the file to redo this method and dataset",
            ) from None
        rows.append(row)
        good_bytes += len(line) + 1
    if good_bytes < len(data):
        with open(path, "r+b") as handle:
            handle.truncate(min(good_bytes, len(data)))
    return rows


def append_rows(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Append rows, one JSON object a line, flushed to disk; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count

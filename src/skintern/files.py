"""Reading user and benchmark files with errors that name the file, line and field (foundation)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skintern.errors import DataError


def read_text(path: str | Path) -> str:
    """A UTF-8 text file, or a `DataError` that says which file is missing or not UTF-8."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", where=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"not UTF-8 text (byte {err.start})", where=str(path)) from None


def read_json(path: str | Path) -> Any:
    text = read_text(path)
    if not text.strip():
        raise DataError("file is empty", where=str(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"malformed JSON: {err.msg}", where=f"{path}:{err.lineno}") from None


def parse_jsonl(text: str, path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of `text` read from `path`."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"malformed JSON line: {err.msg}", where=f"{path}:{lineno}") from None
        if not isinstance(row, dict):
            raise DataError("expected a JSON object on this line", where=f"{path}:{lineno}")
        yield lineno, row


def read_jsonl_lines(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) per record, so callers can point at the line of a bad record."""
    rows = list(parse_jsonl(read_text(path), path))
    if not rows:
        raise DataError("file has no records", where=str(path))
    return rows


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Every non-blank line as a JSON object; a bad line is reported with its number."""
    return [row for _, row in read_jsonl_lines(path)]


def require(row: dict[str, Any], key: str, where: str) -> Any:
    """`row[key]`, or a `DataError` naming the missing field and where the row came from."""
    if key not in row or row[key] is None:
        raise DataError(f"missing field {key!r}", where=where)
    return row[key]

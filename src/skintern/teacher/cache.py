"""The request cache: every completed teacher request, in `RUN/teacher/cache.sqlite`.

A row is keyed by `request_key` (a hash of backend, model, prompt, sampling parameters, sample
index and prompt version), so an answered request is never sent again. The file is in WAL mode
and each completed request (or batch) is committed in its own transaction, so a kill at any
moment loses at most the requests still in flight, never a completed one, and never leaves a
half-written row. Failures are logged in their own table for accounting; they are not answers,
so the next run asks again.

A request that asked for logprobs keeps them in the row's `logprobs` column (JSON, `TokenLogprob`
lists), so a resumed run does not ask again; its key differs from the text-only request's
(`Sampling.to_dict`). A cache written before the column existed gains it on open (NULL: no
logprobs), and its text-only rows keep their keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.errors import ResumeError
from skintern.records import TokenLogprob
from skintern.teacher.backends.base import Completion, Failure

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    finish_reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created REAL NOT NULL,
    logprobs TEXT
);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created REAL NOT NULL
);
"""


def request_key(identity: str, prompt: str, sampling: dict[str, Any], **extra: Any) -> str:
    """sha256 over (backend identity, prompt, sampling parameters, extra fields), hex."""
    blob = json.dumps(
        {"backend": identity, "prompt": prompt, "sampling": sampling, **extra},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Cached:
    key: str
    text: str
    prompt_tokens: int
    completion_tokens: int
    logprobs: tuple[TokenLogprob, ...] | None = None


def _dump_logprobs(logprobs: Sequence[TokenLogprob] | None) -> str | None:
    if logprobs is None:
        return None
    return json.dumps([t.to_list() for t in logprobs], ensure_ascii=False)


def _load_logprobs(blob: str | None) -> tuple[TokenLogprob, ...] | None:
    if blob is None:
        return None
    return tuple(TokenLogprob.from_list(row) for row in json.loads(blob))


class Cache:
    """SQLite-backed map from request key to completion (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            # isolation_level=None: we open each transaction ourselves, one per commit.
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across process kills in WAL mode (only power loss can drop the
            # last commits, never corrupt the file).
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=10000")
            self.conn.executescript(_SCHEMA)
            columns = {row[1] for row in self.conn.execute("PRAGMA table_info(responses)")}
            if "logprobs" not in columns:  # a cache from before logprobs: NULL in every row
                self.conn.execute("ALTER TABLE responses ADD COLUMN logprobs TEXT")
        except sqlite3.DatabaseError as err:
            raise ResumeError(
                f"the teacher cache is not a readable SQLite file: {err}",
                where=str(path),
                hint="move it away to start the teacher stage afresh",
            ) from None

    def put(self, kind: str, completions: Sequence[Completion]) -> None:
        """Store completions in one transaction (a second answer to a key is ignored)."""
        rows = [
            (c.key, kind, c.text, c.prompt_tokens, c.completion_tokens, c.finish_reason,
             c.attempts, time.time(), _dump_logprobs(c.logprobs))
            for c in completions
        ]  # fmt: skip
        with self._transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO responses (key, kind, text, prompt_tokens, "
                "completion_tokens, finish_reason, attempts, created, logprobs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def record_failure(self, failure: Failure) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?)",
                (failure.key, failure.reason, failure.detail, failure.attempts, time.time()),
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def keys(self, candidates: Iterable[str]) -> set[str]:
        """Which of `candidates` have an answer."""
        wanted = list(candidates)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(f"SELECT key FROM responses WHERE key IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def get_many(self, keys: Iterable[str]) -> dict[str, Cached]:
        wanted = list(keys)
        found: dict[str, Cached] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                "SELECT key, text, prompt_tokens, completion_tokens, logprobs FROM responses "
                f"WHERE key IN ({marks})",
                chunk,
            )
            found.update((row[0], Cached(*row[:4], _load_logprobs(row[4]))) for row in rows)
        return found

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

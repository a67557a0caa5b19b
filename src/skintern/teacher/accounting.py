"""Counting a teacher run: requests, cache hits, failures by reason, tokens, cost, and the live
progress bar that shows them."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from skintern.teacher.backends.base import Completion, Failure, Result
from skintern.teacher.config import Prices


@dataclass
class Tally:
    """What happened to the requests of one `skintern teach` invocation."""

    total: int
    cache_hits: int
    sent: int = 0
    completed: int = 0
    failed: int = 0
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, result: Result) -> None:
        self.retries += result.attempts - 1
        if isinstance(result, Completion):
            self.completed += 1
            self.prompt_tokens += result.prompt_tokens
            self.completion_tokens += result.completion_tokens
        else:
            self.failed += 1
            self.failures[result.reason] += 1

    def rate(self) -> float:
        """Answered requests per second since the start."""
        elapsed = time.monotonic() - self.started
        return (self.completed + self.failed) / elapsed if elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "cache_hits": self.cache_hits,
            "sent": self.sent,
            "completed": self.completed,
            "failed": self.failed,
            "retries": self.retries,
            "failures_by_reason": dict(sorted(self.failures.items())),
        }


def estimate_cost(prices: Prices | None, prompt_tokens: int, completion_tokens: int) -> Any:
    """`{"amount", "currency"}` for the given tokens, or None when no prices are configured."""
    if prices is None:
        return None
    amount = (
        prompt_tokens * prices.prompt_per_million
        + completion_tokens * prices.completion_per_million
    ) / 1e6
    return {"amount": round(amount, 6), "currency": prices.currency}


def failure_of(result: Result) -> Failure | None:
    return result if isinstance(result, Failure) else None


class ProgressBar:
    """A rich bar: done/total, requests/s, failures, cache hits, ETA (stderr; off when asked)."""

    def __init__(
        self, tally: Tally, enabled: bool, console: Console | None = None, label: str = "teacher"
    ) -> None:
        self.tally = tally
        self.progress = Progress(
            TextColumn(f"[bold]{label}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.2f} req/s"),
            TextColumn("failed {task.fields[failed]}"),
            TextColumn("cached {task.fields[cached]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            disable=not enabled,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        self.progress.__enter__()
        self.task = self.progress.add_task(
            "teacher",
            total=self.tally.total,
            completed=self.tally.cache_hits,
            rate=0.0,
            failed=0,
            cached=self.tally.cache_hits,
        )
        return self

    def update(self) -> None:
        if self.task is None:
            return
        t = self.tally
        done = t.cache_hits + t.completed + t.failed
        self.progress.update(self.task, completed=done, rate=t.rate(), failed=t.failed)

    def __exit__(self, *exc: object) -> None:
        self.update()
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

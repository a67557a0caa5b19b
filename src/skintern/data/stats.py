"""Counts per dataset, task, split and answer type (what `skintern data stats` prints)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from skintern.data.example import Example


@dataclass
class SplitCounts:
    """How many examples one dataset (or task) has per split and per answer type."""

    name: str
    tasks: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    answer_types: Counter[str] = field(default_factory=Counter)


def count(name: str, by_split: dict[str, list[Example]]) -> SplitCounts:
    """Summarise the examples of each split of one dataset."""
    summary = SplitCounts(name=name)
    tasks: set[str] = set()
    for split, examples in by_split.items():
        summary.splits[split] = len(examples)
        tasks.update(example.task for example in examples)
        if split == "all" or len(by_split) == 1:
            summary.answer_types.update(str(example.answer_type) for example in examples)
    summary.tasks = len(tasks)
    return summary


def count_by_task(by_split: dict[str, list[Example]]) -> list[SplitCounts]:
    """One `SplitCounts` per task, in first-seen order."""
    per_task: dict[str, dict[str, list[Example]]] = {}
    for split, examples in by_split.items():
        for example in examples:
            per_task.setdefault(example.task, {s: [] for s in by_split})[split].append(example)
    return [count(task, splits) for task, splits in per_task.items()]

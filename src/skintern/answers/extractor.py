"""One `Extractor` per answer type, in the `extractors` registry keyed by the type's value.

An extractor is pure: `extract(text, gold)` pulls the final answer out of a model's output (a
canonical string, or None when there is none), `matches(answer, gold)` compares it with the gold
answer. Its `name` and `version` go into every prediction row, so a score can say what made it;
bump the version whenever a change could flip a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skintern.answers.types import Gold
from skintern.registry import Registry


@dataclass(frozen=True)
class Extractor:
    """A named, versioned pair of pure functions for one answer type."""

    name: str
    version: int
    extract: Callable[[str, Gold], str | None]
    matches: Callable[[str, Gold], bool]


extractors: Registry[Extractor] = Registry("answer extractor")

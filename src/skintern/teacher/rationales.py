"""Rationales: keep a teacher CoT only when it reaches the gold answer, in one final format.

SKIntern (paper 3.1, following Hsieh et al. 2023) trains on the l sampled rationales that are
correct. Every kept rationale ends "Therefore, the answer is X." (`records.FINAL_PHRASE`), whatever
the teacher wrote ("So the answer is X.", "The final answer is X"), so that every method trains on
one format and evaluation parses one phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from skintern.answers import is_correct
from skintern.data.example import AnswerType, Example
from skintern.records import FINAL_PHRASE

# The answer markers the extractor also reads (skintern.answers.span); the last one wins.
_MARKER = re.compile(
    r"(?:\b(?:so|therefore|thus|hence)\b[,:]?\s+)?\bthe\s+(?:final\s+|correct\s+)?answer\s+"
    r"(?:is|would\s+be|should\s+be)\b",
    re.IGNORECASE,
)


def render_answer(example: Example) -> str:
    """The gold answer as a final sentence states it: `(B)` for an option, else as written."""
    if example.answer_type == AnswerType.OPTION:
        return f"({example.answer})"
    return example.answer.strip()


def normalise(text: str, example: Example) -> str:
    """`text` up to its last answer marker, then "Therefore, the answer is X." with gold X."""
    markers = list(_MARKER.finditer(text))
    body = text[: markers[-1].start()] if markers else text
    body = body.rstrip()
    final = f"{FINAL_PHRASE} {render_answer(example)}."
    return f"{body} {final}" if body else final


def keep(text: str, example: Example) -> str | None:
    """The normalised rationale when `text` answers `example` correctly, else None."""
    if not is_correct(text, example):
        return None
    return normalise(text, example)


@dataclass
class TaskCounts:
    """Kept rationales per task: `kept` of `answered` (of `requested`); `examples` with >= 1."""

    requested: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    examples: Counter[str] = field(default_factory=Counter)
    covered: Counter[str] = field(default_factory=Counter)

    def table(self) -> dict[str, dict[str, float | int]]:
        """Per task plus `all`: requested, answered, kept, kept_rate, examples, covered."""
        rows = {}
        for task in [*sorted(self.examples), "all"]:
            pick = (lambda c, t=task: c[t]) if task != "all" else (lambda c: sum(c.values()))
            answered = pick(self.answered)
            rows[task] = {
                "examples": pick(self.examples),
                "requested": pick(self.requested),
                "answered": answered,
                "kept": pick(self.kept),
                "kept_rate": round(pick(self.kept) / answered, 4) if answered else 0.0,
                "covered": pick(self.covered),
            }
        return rows

"""The answer types and the small view of an example that the extractors need.

`AnswerType` lives here, in the foundation, because the extractors are keyed by it and sit below
`skintern.data`; `skintern.data.example` re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol


class AnswerType(StrEnum):
    """How the gold answer is written, which picks the extractor that scores a prediction."""

    OPTION = "option"  # a multiple-choice letter; `answer` is "B", `options` the texts
    NUMBER = "number"  # compared numerically (GSM8K, BBH arithmetic and counting)
    YES_NO = "yes_no"
    TRUE_FALSE = "true_false"
    VALID_INVALID = "valid_invalid"
    FREE_TEXT = "free_text"  # compared after normalisation (Dyck closings, sorted word lists)


class Gold(Protocol):
    """What scoring reads from an example: `skintern.data.Example` satisfies it."""

    @property
    def answer(self) -> str: ...

    @property
    def answer_type(self) -> str: ...

    @property
    def options(self) -> Sequence[str]: ...

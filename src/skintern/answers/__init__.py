"""Final-answer extraction and correctness, one small versioned extractor per answer type.

Foundation module used by the teacher (keep a rationale only if it reaches the gold answer) and
by evaluation; `skintern.eval` re-exports `extract_answer` and `is_correct`.

    from skintern.answers import extract_answer, is_correct
    extract_answer("... So the answer is (B).", example)  # "B"
"""

from __future__ import annotations

from skintern.answers import binary, free_text, number, option  # noqa: F401  (registers)
from skintern.answers.extract import extract_answer, extractor_for, extractor_info, is_correct
from skintern.answers.extractor import Extractor, extractors
from skintern.answers.types import AnswerType, Gold

__all__ = [
    "AnswerType",
    "Extractor",
    "Gold",
    "extract_answer",
    "extractor_for",
    "extractor_info",
    "extractors",
    "is_correct",
]

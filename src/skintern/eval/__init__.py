"""Evaluation: score model outputs against gold answers (and, in later modules, generate them).

Kept light on purpose (no torch here): `skintern.eval.extract_answer` and
`skintern.eval.is_correct` are the public scoring API, re-exported from `skintern.answers`.
CLI: `skintern eval score-file FILE...` (see `skintern.eval.score_file`).
"""

from __future__ import annotations

from skintern.answers import extract_answer, extractor_info, is_correct

__all__ = ["extract_answer", "extractor_info", "is_correct"]

"""Paired significance of two methods on the same questions: McNemar's exact test.

Two methods answered the same test questions; only the questions where exactly one of them was
right carry information. Under "both equally good" each such question is a fair coin, so the
two-sided p-value is a binomial tail (exact, no chi-square approximation, fine for small counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from math import comb
from typing import Any


def mcnemar(a: Mapping[str, bool], b: Mapping[str, bool]) -> dict[str, Any]:
    """McNemar's exact test over the question ids both `a` and `b` answered (id -> correct).

    Returns n (shared questions), accuracies on them, a_only / b_only (right in one only) and
    the two-sided p-value.
    """
    shared = sorted(a.keys() & b.keys())
    a_only = sum(1 for i in shared if a[i] and not b[i])
    b_only = sum(1 for i in shared if b[i] and not a[i])
    discordant = a_only + b_only
    tail = sum(comb(discordant, k) for k in range(min(a_only, b_only) + 1))
    p_value = 1.0 if discordant == 0 else min(1.0, 2 * tail / 2**discordant)
    return {
        "n": len(shared),
        "a_accuracy": sum(a[i] for i in shared) / len(shared) if shared else None,
        "b_accuracy": sum(b[i] for i in shared) / len(shared) if shared else None,
        "a_only": a_only,
        "b_only": b_only,
        "p_value": p_value,
    }


def correctness(rows: Iterable[Mapping[str, Any]]) -> dict[str, bool]:
    """id -> correct, from prediction rows (`RUN/eval/METHOD/DATASET/predictions.jsonl`)."""
    return {str(row["id"]): bool(row["correct"]) for row in rows}

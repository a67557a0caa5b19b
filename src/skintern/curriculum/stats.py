"""Per-step counts for the curriculum manifest (how much knowledge and how many examples)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skintern.curriculum.render import Fitted


@dataclass
class StepStats:
    """Accumulates one step's counts over its examples."""

    ratios: list[float] = field(default_factory=list)
    example_counts: list[int] = field(default_factory=list)
    missing_knowledge: int = 0
    knowledge_tokens_cut: int = 0
    examples_cut: int = 0
    over_limit: int = 0

    def add(self, original_tokens: int, compressed_tokens: int, fitted: Fitted) -> None:
        if original_tokens:
            self.ratios.append(compressed_tokens / original_tokens)
        self.example_counts.append(len(fitted.examples))
        self.knowledge_tokens_cut += fitted.knowledge_tokens_cut
        self.examples_cut += fitted.examples_cut
        self.over_limit += int(fitted.over_limit)

    def summary(self) -> dict[str, Any]:
        counts = self.example_counts or [0]
        return {
            "knowledge_ratio_mean": round(sum(self.ratios) / len(self.ratios), 4)
            if self.ratios
            else None,
            "examples_min": min(counts),
            "examples_max": max(counts),
            "examples_mean": round(sum(counts) / len(counts), 4),
            "missing_knowledge": self.missing_knowledge,
            "knowledge_tokens_cut": self.knowledge_tokens_cut,
            "examples_cut": self.examples_cut,
            "over_limit": self.over_limit,
        }

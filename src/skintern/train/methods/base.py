"""What a method is: how it renders training records, weights its loss and prompts at inference.

One shared training loop and one progressive driver serve every method; a method file holds only
what differs (STYLE.md "One training loop; a method holds only what differs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from skintern.data.example import Example
from skintern.records import Knowledge, Rationale


@dataclass(frozen=True, slots=True)
class TrainRecord:
    """One (prompt, target) pair; the loss is on `target` tokens only, scaled by `weight`."""

    id: str  # the Example id it comes from
    prompt: str  # plain text; the model's chat template is applied at tokenization
    target: str
    kind: str = "rationale"  # "rationale", "answer", ... (CasCoD weighs kinds differently)
    weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodContext:
    """Everything a method may read to render an example (built once per run)."""

    rationales: dict[str, list[Rationale]]  # Example id -> kept teacher rationales
    knowledge: dict[str, Knowledge]  # Example id or task name -> knowledge
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. a KARD retriever


class Method(Protocol):
    """A distillation method or prompting baseline, registered under its user-facing name."""

    name: str
    trains: bool  # False for zero-shot / zero-shot-CoT / few-shot-CoT baselines
    stages: int  # inference stages: 1, or 2 for CasCoD (question -> rationale -> answer)
    steps: int  # schedule steps of training: 1 for every method but SKIntern (T)

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        """The records of `example` at schedule step `step` (1-based)."""
        ...

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        """The prompt at inference stage `stage`; `previous` is the prior stage's output."""
        ...

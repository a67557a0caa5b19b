"""Distilling step-by-step (Hsieh et al., 2023; paper Table 1 "Step-by-step").

Rationale and label prediction as two tasks with task prefixes `[label]` and `[rationale]`;
inference asks for the label.
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    MethodContext,
    TrainRecord,
    final_sentence,
    rationale_records,
    register,
)


def _prompt(prefix: str, question: str) -> str:
    return f"[{prefix}] Question: {question}\nAnswer:"


@register("step-by-step")
class StepByStep(BaseMethod):
    """`[label]` -> answer sentence, `[rationale]` -> rationale; L = L_label + L_rationale."""

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        rationales = rationale_records(example, ctx, _prompt("rationale", example.question))
        if not rationales:
            return []
        label = TrainRecord(
            example.id, _prompt("label", example.question), final_sentence(example), "answer"
        )
        return [label, *rationales]

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return _prompt("label", example.question)

"""Knowledge-augmented fine-tuning (paper Table 1): knowledge k + question -> final answer.

The teacher's knowledge (learning summary and supplementary knowledge) is in the prompt at train
and test time; at test time the task-level knowledge is used where no per-question one exists.
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    Input,
    MethodContext,
    TrainRecord,
    answer_prompt,
    final_sentence,
    register,
    require_knowledge,
)


def _prompt(example: Example, ctx: MethodContext) -> str:
    knowledge = require_knowledge(example, ctx, "kaft").text()
    return f"{knowledge}\n\n{answer_prompt(example)}"


@register("kaft")
class KnowledgeAugmentedFineTune(BaseMethod):
    """Answer-only targets, knowledge in the prompt."""

    inputs = frozenset({Input.KNOWLEDGE})

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        return [TrainRecord(example.id, _prompt(example, ctx), final_sentence(example), "answer")]

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return _prompt(example, ctx)

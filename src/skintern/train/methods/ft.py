"""Answer-only fine-tuning (paper Table 1 "Fine-tuning"): question -> final answer sentence."""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    MethodContext,
    TrainRecord,
    answer_prompt,
    final_sentence,
    register,
)


@register("ft")
class FineTune(BaseMethod):
    """Target: "Therefore, the answer is X." (no rationale needed, so no example is dropped)."""

    inputs = frozenset()

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        prompt = answer_prompt(example)
        return [TrainRecord(example.id, prompt, final_sentence(example), "answer")]

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return answer_prompt(example)

"""MT-CoT (Li et al., 2022, "Explanations from LLMs make small reasoners better"; paper Table 1).

Two tasks on one student, told apart by their prompt: answer prediction (question -> answer) and
rationale generation (question -> rationale). Inference asks the answer task only.
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    MethodContext,
    TrainRecord,
    answer_prompt,
    final_sentence,
    rationale_records,
    register,
)


def _explain_prompt(question: str) -> str:
    return f"Question: {question}\nExplanation:"


@register("mt-cot")
class MultiTaskCot(BaseMethod):
    """Answer and rationale records, equal weights (L = L_answer + L_rationale)."""

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        rationales = rationale_records(example, ctx, _explain_prompt(example.question))
        if not rationales:
            return []
        answer = TrainRecord(example.id, answer_prompt(example), final_sentence(example), "answer")
        return [answer, *rationales]

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return answer_prompt(example)

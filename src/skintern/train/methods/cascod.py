"""CasCoD, cascading decomposed CoT distillation (Dai et al., 2024; paper Table 1).

Stage 1: question -> rationale (the final answer sentence removed); stage 2: question + rationale
-> answer. Loss (1 - a) L_rationale + a L_answer with a = 0.3 (`train.methods.cascod.alpha`);
at inference the student runs stage 1, then stage 2 on its own rationale.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skintern.data.example import Example
from skintern.train.methods.base import (
    COT_CUE,
    BaseMethod,
    MethodContext,
    TrainRecord,
    cot_target,
    final_sentence,
    register,
    settings_of,
    strip_final,
)


class CasCodSettings(BaseModel):
    """CasCoD's loss weighting (Dai et al., 2024: a = 0.3)."""

    model_config = ConfigDict(extra="forbid")

    alpha: float = Field(
        default=0.3, ge=0, le=1, description="a in loss = (1 - a) L_rationale + a L_answer."
    )


def _rationale_prompt(question: str) -> str:
    return f"Question: {question}\nRationale: {COT_CUE}"


def _answer_prompt(question: str, rationale: str) -> str:
    return f"Question: {question}\nRationale: {rationale.strip()}\nAnswer:"


@register("cascod", config=CasCodSettings)
class CasCod(BaseMethod):
    """Two record kinds per rationale: `rationale` (stage 1) and `answer` (stage 2)."""

    stages = 2

    def loss_weights(self, ctx: MethodContext) -> dict[str, float]:
        alpha = settings_of(self, ctx).alpha
        return {"rationale": 1.0 - alpha, "answer": alpha}

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        records = []
        for kept in ctx.rationales.get(example.id, []):
            rationale = strip_final(cot_target(kept.text, example))
            records.append(TrainRecord(example.id, _rationale_prompt(example.question), rationale))
            records.append(
                TrainRecord(
                    example.id,
                    _answer_prompt(example.question, rationale),
                    final_sentence(example),
                    "answer",
                )
            )
        return records

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        if stage == 1:
            return _rationale_prompt(example.question)
        return _answer_prompt(example.question, strip_final(previous))

"""SKIntern with self-context distillation (ours, beyond the paper; issue 14).

SKIntern's student sees the knowledge and examples in its prompt for T - 1 of T schedule steps and
the question alone, its inference format, only in the last. Here the student sees the question
alone at every step and is trained on two targets per teacher rationale:

- the rationale's tokens (cross-entropy, as Std-CoT), and
- the distribution the same model gives those tokens when it reads the privileged prompt, the
  curriculum's full-context step-1 prompt [k; K examples; x] (or, with `teacher_context: step`, the
  step's compressed prompt, fading with S_t): KL(p(. | k, e, x, r<i) || q(. | x, r<i)), over the
  top-K tokens plus a tail bucket (`skintern.train.soft`), weighed by `kl_weight`.

The privileged distribution is recomputed at each schedule step's start from the weights as they
stand (`skintern.train.self_targets`), so the T steps are T refreshes of the context teacher:
one no-gradient pass over the long prompts per step, where SKIntern trains on them every epoch.
Inference is the question alone, as for Std-CoT and SKIntern (same cost). Context distillation:
Snell, Klein and Zhong, 2022, "Learning by Distilling Context".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    DistillSettings,
    Input,
    MethodContext,
    TrainRecord,
    cot_prompt,
    cot_target,
    register,
    settings_of,
    step_rows,
)
from skintern.train.soft import Distill


class SelfContextSettings(DistillSettings):
    """Settings of `skintern-scd` (`train.methods.skintern-scd`)."""

    top_k: int = Field(
        default=32, ge=1, description="Tokens of the context teacher kept per position (+ tail)."
    )
    teacher_context: Literal["full", "step"] = Field(
        default="full",
        description="The teacher's prompt: `full` the step-1 prompt (all knowledge, K examples) "
        "at every step; `step` the step's compressed prompt, fading with S_t.",
    )


@register("skintern-scd", config=SelfContextSettings)
class SKInternSelfContext(BaseMethod):
    """Question-only records with a privileged teacher prompt; inference: the question alone."""

    inputs = frozenset({Input.CURRICULUM})

    def num_steps(self, ctx: MethodContext) -> int:
        return len(step_rows(ctx, self.name))

    def distillation(self, ctx: MethodContext) -> Distill:
        s = settings_of(self, ctx)
        return Distill(kl_weight=s.kl_weight, temperature=s.temperature, top_k=s.top_k)

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        rows = step_rows(ctx, self.name)
        source = 1 if settings_of(self, ctx).teacher_context == "full" else step
        teachers = _by_target(rows.get(source, {}).get(example.id, []))
        student = cot_prompt(example)
        records = []
        for row in rows.get(step, {}).get(example.id, []):
            teacher = teachers.get(row["target"])
            records.append(
                TrainRecord(
                    example.id,
                    student,
                    cot_target(row["target"], example),
                    "rationale",
                    meta={"step": step, "S_t": row.get("S_t")},
                    # the question alone teaches nothing beyond the text: no KL there
                    teacher_prompt=teacher if teacher and teacher != student else None,
                )
            )
        return records


def _by_target(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Rationale text -> the prompt it was rendered with (one row per kept rationale)."""
    return {row["target"]: row["prompt"] for row in rows}

"""Standard CoT distillation (Magister et al., 2023; Ho et al., 2023; paper Table 1 "Std-CoT").

Question -> teacher rationale ending "Therefore, the answer is X."; one schedule step, so it is
SKIntern's progressive loop with T = 1 and the same inference prompt (same cost).
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    MethodContext,
    TrainRecord,
    cot_prompt,
    rationale_records,
    register,
)


@register("std-cot")
class StdCot(BaseMethod):
    """One record per kept rationale; examples without one are skipped."""

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        return rationale_records(example, ctx, cot_prompt(example))

"""SKIntern, progressive internalization of symbolic knowledge and examples (Liao et al., 2025,
section 3.2, equations 1-5).

At schedule step t the student trains on the curriculum stage's records
`RUN/curriculum/step-t.jsonl`: [compressed knowledge k^t; floor(K S_t) kept examples; question]
-> teacher rationale, with S_t falling from 1 to 0, so the last step sees the question alone. The
same LoRA weights carry over from step to step (the progressive driver, `train.progressive`).
At inference the prompt is the question alone, exactly Std-CoT's, so both cost the same.

Ablations (paper Tables 2-3: no learning summary, no supplementary knowledge, no examples, the
schedule shape and T) are curriculum and schedule options (`curriculum.ablation`,
`schedule.decay`, `schedule.steps`): they change what the step files hold, not how the student
trains, so SKIntern has no settings of its own.
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.train.methods.base import (
    BaseMethod,
    Input,
    MethodContext,
    TrainRecord,
    cot_target,
    register,
    step_rows,
)


@register("skintern")
class SKIntern(BaseMethod):
    """T steps of (prompt_t, rationale) records; inference: the question alone."""

    inputs = frozenset({Input.CURRICULUM})

    def num_steps(self, ctx: MethodContext) -> int:
        return len(step_rows(ctx, self.name))

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        rows = step_rows(ctx, self.name).get(step, {}).get(example.id, [])
        return [
            TrainRecord(
                example.id,
                row["prompt"],
                cot_target(row["target"], example),
                "rationale",
                meta={"step": step, "S_t": row.get("S_t")},
            )
            for row in rows
        ]

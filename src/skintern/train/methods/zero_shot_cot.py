"""Zero-shot-CoT prompting baseline (Kojima et al., 2022; paper Table 1): no training."""

from __future__ import annotations

from skintern.data.example import Example
from skintern.records import FINAL_PHRASE
from skintern.train.methods.base import BaseMethod, MethodContext, cot_prompt, register

INSTRUCTION = (
    f'Explain your reasoning first; your response should conclude with the format "{FINAL_PHRASE}".'
)


@register("zero-shot-cot")
class ZeroShotCot(BaseMethod):
    """Question + "Let's think step by step." -> rationale and answer, no training."""

    trains = False
    inputs = frozenset()

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return f"{INSTRUCTION}\n\n{cot_prompt(example)}"

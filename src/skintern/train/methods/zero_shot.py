"""Zero-shot prompting baseline (paper Table 1): the untrained student answers directly."""

from __future__ import annotations

from skintern.data.example import Example
from skintern.records import FINAL_PHRASE
from skintern.train.methods.base import BaseMethod, MethodContext, register

INSTRUCTION = f'Answer the question. Conclude with the format "{FINAL_PHRASE} X."'


@register("zero-shot")
class ZeroShot(BaseMethod):
    """Question -> answer, no training."""

    trains = False
    inputs = frozenset()

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return f"{INSTRUCTION}\n\nQuestion: {example.question}\nAnswer: {FINAL_PHRASE}"

"""KARD, knowledge-augmented reasoning distillation (Kang et al., 2023; paper Table 1, BM25).

The question's top-3 BM25 passages (`train.methods.kard.passages`; from the teacher knowledge
bank, or from `train.methods.kard.corpus`) are in the prompt at train and test time; the target
is the teacher rationale. The reranker of the original KARD is not used, as in the SKIntern
paper's "KARD (BM25)" row.
"""

from __future__ import annotations

from skintern.data.example import Example
from skintern.errors import ConfigError
from skintern.train.methods.base import (
    BaseMethod,
    Input,
    MethodContext,
    PassageSettings,
    TrainRecord,
    cot_prompt,
    rationale_records,
    register,
)


def _prompt(example: Example, ctx: MethodContext) -> str:
    if ctx.retriever is None:
        raise ConfigError("method 'kard' needs a passage retriever in its context")
    passages = "\n".join(f"- {p}" for p in ctx.retriever.retrieve(example.question))
    return f"Knowledge:\n{passages}\n\n{cot_prompt(example)}"


class KardSettings(PassageSettings):
    """KARD's retrieval: how many passages, from which corpus."""


@register("kard", config=KardSettings)
class Kard(BaseMethod):
    """Retrieved passages + question -> rationale."""

    inputs = frozenset({Input.RATIONALES, Input.KNOWLEDGE, Input.PASSAGES})

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        if not ctx.rationales.get(example.id):
            return []
        return rationale_records(example, ctx, _prompt(example, ctx))

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return _prompt(example, ctx)

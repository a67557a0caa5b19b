"""Few-shot-CoT prompting baseline (Wei et al., 2022; paper Figure 5): no training.

BBH questions get the task's official 3-shot CoT prompt (`bbh/cot-prompts/TASK.txt`); other
datasets get up to 3 teacher rationales of other training questions of the same task.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from skintern.data.example import Example
from skintern.data.loaders.bbh import load_cot_prompt
from skintern.paths import data_root
from skintern.train.methods.base import (
    COT_CUE,
    BaseMethod,
    Input,
    MethodContext,
    cot_target,
    register,
)

SHOTS = 3


@lru_cache(maxsize=64)
def _bbh_prompt(root: str, task: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    cot = load_cot_prompt(Path(root), task)
    return cot.description, cot.exemplars


def _shots(example: Example, ctx: MethodContext) -> tuple[str, list[tuple[str, str]]]:
    if example.dataset == "bbh":
        root = str(data_root(ctx.data_dir))
        description, exemplars = _bbh_prompt(root, example.task)
        return description, list(exemplars)
    shots = []
    for other in ctx.train_examples:
        kept = ctx.rationales.get(other.id)
        if other.task == example.task and other.id != example.id and kept:
            shots.append((other.question, cot_target(kept[0].text, other)))
        if len(shots) == SHOTS:
            break
    return "", shots


@register("few-shot-cot")
class FewShotCot(BaseMethod):
    """3 worked (question, CoT) exemplars, then the question; no training."""

    trains = False
    inputs = frozenset({Input.RATIONALES, Input.TRAIN_EXAMPLES, Input.DATA_ROOT})

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        description, shots = _shots(example, ctx)
        blocks = [description] if description else []
        blocks += [f"Q: {q}\nA: {a.removeprefix(COT_CUE).strip()}" for q, a in shots]
        blocks.append(f"Q: {example.question}\nA: {COT_CUE}")
        return "\n\n".join(blocks)

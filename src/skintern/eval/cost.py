"""The model's FLOPs model and the unit of "relative FLOPs" (paper Table 1, last column).

The paper divides each method's prefill FLOPs on BBH test by those of the smallest student's
zero-shot prompts on the same questions. Here the unit is `eval.reference` (default: zero-shot on
bbh) for this run's student, counted from the tokenized prompts alone: no generation needed.
"""

from __future__ import annotations

from typing import Any

from skintern.data.example import Example
from skintern.eval.config import EvalConfig
from skintern.eval.flops import FlopsModel
from skintern.models import load_tokenizer, resolve
from skintern.models.chat import format_prompt
from skintern.train.methods import MethodContext, methods


def flops_model(model: str) -> FlopsModel:
    """The FLOPs model of an alias or folder, from its config alone (no weights loaded)."""
    from transformers import AutoConfig

    return FlopsModel.from_config(AutoConfig.from_pretrained(resolve(model)))


def prompt_prefill_flops(tokenizer: Any, flops: FlopsModel, prompts: list[str]) -> tuple[int, int]:
    """(total prefill FLOPs, total tokens) of plain prompts after the chat template."""
    total = tokens = 0
    for prompt in prompts:
        n = len(tokenizer(format_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"])
        total, tokens = total + flops.prefill(n), tokens + n
    return total, tokens


def reference_flops(
    cfg: EvalConfig, ctx: MethodContext, tests: dict[str, list[Example]]
) -> tuple[FlopsModel, dict[str, Any] | None]:
    """The student's FLOPs model and the reference prefill cost (None without its dataset)."""
    flops = flops_model(cfg.model)
    examples = tests.get(cfg.reference.dataset)
    if not examples:
        return flops, None
    method = methods.get(cfg.reference.method)
    prompts = [method.inference_prompt(ex, ctx, 1) for ex in examples]
    total, tokens = prompt_prefill_flops(load_tokenizer(cfg.model), flops, prompts)
    return flops, {
        "method": method.name,
        "dataset": cfg.reference.dataset,
        "model": cfg.model,
        "n": len(examples),
        "prompt_tokens": tokens,
        "prefill_flops": total,
    }

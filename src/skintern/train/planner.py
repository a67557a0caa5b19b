"""The batch planner: how many records one forward pass holds, and whether to checkpoint.

An optimizer step takes `batch_size x grad_accum` records per process; the config fixes that and
the planner never changes it. It only decides how the step is cut into forward passes (the loop
normalises the loss by the step's completion tokens, so the cut leaves loss and gradients as they
are) and whether activations are recomputed in the backward pass. It plans each schedule step on
its own: SKIntern's first step, with knowledge and examples in every prompt, may need a smaller
micro-batch than its question-only last step.

Activation memory is estimated, not probed: on CPU a run that does not fit is killed by the
kernel, with no exception to catch. The estimate is linear in padded tokens, with per-layer
coefficients measured on SmolLM2-135M (LoRA on all linear layers, no attention mask: see
`benchmarks/train_throughput.py`, which prints the estimate beside the measured peak).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GIB = 1024**3
# Bytes kept for the backward pass per token, per layer, per unit of (hidden + intermediate):
# measured 37 (fp32) and 24 (bf16 autocast) on SmolLM2-135M, rounded up.
_PER_UNIT = {"fp32": 40.0, "bf16": 26.0, "fp16": 26.0}
_ELEMENT = {"fp32": 4, "bf16": 2, "fp16": 2}
_RUNTIME_BYTES = 1.0 * GIB  # the interpreter, torch's kernels, the allocator's slack
_LOGIT_COPIES = 3  # fp32 logits, their softmax and its gradient, on completion tokens only
# A CPU gains nothing from forward passes longer than this many padded tokens, and pays in memory
# and padding: SKIntern step-1 records (~1,400 tokens) trained at 287, 308 and 197 tokens/s with
# micro-batches of 1, 2 and 4 on 2 AMD EPYC cores (bf16), at 3.2, 5.1 and 8.7 GiB peak.
CPU_PASS_TOKENS = 4096


@dataclass(frozen=True)
class ModelShape:
    """What activation memory depends on, read from a transformers config."""

    layers: int
    hidden: int
    intermediate: int
    vocab: int

    @classmethod
    def of(cls, config: Any) -> ModelShape:
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        hidden = text.hidden_size
        return cls(
            text.num_hidden_layers,
            hidden,
            getattr(text, "intermediate_size", None) or 4 * hidden,
            text.vocab_size,
        )


@dataclass(frozen=True)
class StepShape:
    """One schedule step's records as the planner sees them: lengths and completion lengths."""

    lengths: Sequence[int]
    completions: Sequence[int]


@dataclass(frozen=True)
class BatchPlan:
    """The micro-batch of one schedule step, whether it checkpoints, and the estimate behind it."""

    micro_batch: int
    checkpointing: bool
    estimate_bytes: float


def activation_bytes(  # noqa: PLR0913 (the quantities the estimate depends on)
    shape: ModelShape,
    rows: int,
    width: int,
    completion_tokens: int,
    precision: str,
    checkpointing: bool,
    lora_dropout: bool = False,
) -> float:
    """Peak activation bytes of one forward + backward over `rows` x `width` padded tokens."""
    tokens = rows * width
    unit = shape.hidden + shape.intermediate
    per_layer = _PER_UNIT[precision] * unit
    if lora_dropout:  # PEFT keeps a dropped-out copy of each adapted layer's input
        per_layer += _ELEMENT[precision] * (6 * shape.hidden + shape.intermediate)
    if checkpointing:  # layer inputs are kept; one layer's activations exist at a time
        body = tokens * (shape.layers * shape.hidden * _ELEMENT[precision] + per_layer)
    else:
        body = tokens * shape.layers * per_layer
    logits = completion_tokens * shape.vocab * 4 * _LOGIT_COPIES
    return body + logits


def worst_micro_batch(step: StepShape, rows: int) -> tuple[int, int]:
    """(width, completion tokens) of the largest micro-batch of `rows` records in this step."""
    width = max(step.lengths)
    completions = sorted(step.completions, reverse=True)[:rows]
    return width, sum(completions)


def plan_step(  # noqa: PLR0913 (a plan needs all of these)
    step: StepShape,
    shape: ModelShape,
    budget_bytes: float,
    *,
    batch_size: int,
    micro_batch: int | str,
    checkpointing: bool | str,
    precision: str,
    on_gpu: bool,
    lora_dropout: bool = False,
) -> BatchPlan | None:
    """The plan for one step, or None when not even one record fits the budget.

    With `micro_batch=auto` a GPU keeps its batch and turns checkpointing on first (its speed
    depends on batch size); a CPU takes at most `CPU_PASS_TOKENS` padded tokens a pass, lowers
    its micro-batch first (its speed barely depends on it) and checkpoints only when one record
    alone does not fit.
    """

    def estimate(rows: int, ckpt: bool) -> float:
        width, completions = worst_micro_batch(step, rows)
        return activation_bytes(shape, rows, width, completions, precision, ckpt, lora_dropout)

    checkpoint_choices = [checkpointing] if isinstance(checkpointing, bool) else [False, True]
    largest = (
        batch_size if on_gpu else max(1, min(batch_size, CPU_PASS_TOKENS // max(step.lengths)))
    )
    sizes = [micro_batch] if isinstance(micro_batch, int) else range(largest, 0, -1)
    if isinstance(micro_batch, int):
        order = [(micro_batch, c) for c in checkpoint_choices]
    elif on_gpu:
        order = [(m, c) for m in sizes for c in checkpoint_choices]
    else:
        order = [(m, c) for c in checkpoint_choices for m in sizes]
    for rows, ckpt in order:
        need = estimate(rows, ckpt)
        if need <= budget_bytes:
            return BatchPlan(rows, ckpt, need)
    return None


def budget_for_activations(free_bytes: float, states_bytes: float) -> float:
    """What is left for activations: the free memory less optimizer states still to come and the
    runtime, with 10 % kept back."""
    return 0.9 * free_bytes - states_bytes - _RUNTIME_BYTES

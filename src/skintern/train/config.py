"""The `train` section of a run config: method, model, LoRA, optimisation, batching, checkpoints.

Defaults are CPU-sized; `configs/paper/*.yaml` carry the paper's Table 5 values for GPU users.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoraConfig(_Section):
    """PEFT LoRA settings (paper: rank 32 on all linear layers)."""

    r: int = Field(default=32, ge=1, description="LoRA rank.")
    alpha: int = Field(default=64, ge=1, description="LoRA alpha (scale = alpha / r).")
    dropout: float = Field(
        default=0.0,
        ge=0.0,
        lt=1.0,
        description="LoRA dropout (paper and LLaMA-Factory: 0.0; above 0 PEFT keeps one more "
        "activation copy per adapted layer).",
    )
    target_modules: list[str] | Literal["all-linear"] = Field(
        default="all-linear",
        description="Module names to adapt, or `all-linear` for every linear layer but the head.",
    )


class TrainConfig(_Section):
    """How the student is trained (`skintern train`)."""

    method: str = Field(default="skintern", description="A registered method name (see --help).")
    model: str = Field(
        default="smollm2-135m",
        description="Student: an alias (tiny-random, smollm2-135m, ...), a hub id or a local path.",
    )
    finetune: Literal["lora", "qlora", "full"] = Field(
        default="lora",
        description="lora; qlora (4-bit base, needs bitsandbytes and a GPU); full fine-tuning.",
    )
    lora: LoraConfig = Field(default_factory=LoraConfig, description="LoRA settings.")
    epochs: int = Field(
        default=12, ge=1, description="E: total epochs, spread over the T schedule steps."
    )
    lr: float = Field(default=2e-4, gt=0, description="Peak learning rate.")
    weight_decay: float = Field(default=0.0, ge=0, description="AdamW weight decay.")
    warmup_ratio: float = Field(default=0.1, ge=0, le=1, description="Warm-up share of a schedule.")
    lr_scheduler: Literal["cosine", "linear", "constant_with_warmup"] = Field(
        default="cosine", description="LR decay after warm-up."
    )
    schedule_scope: Literal["step", "run"] = Field(
        default="step",
        description="`step`: warm-up and decay restart at each schedule step; `run`: one LR "
        "schedule across all steps.",
    )
    reset_optimizer: bool = Field(
        default=False, description="Start a fresh AdamW state at each schedule step."
    )
    max_grad_norm: float | None = Field(default=1.0, description="Gradient clipping; null: off.")
    batch_size: int = Field(
        default=8,
        ge=1,
        description="Records per micro-batch per process (at most; see micro_batch).",
    )
    grad_accum: int = Field(
        default=4,
        ge=1,
        description="Micro-batches per optimizer step: batch_size x grad_accum records a process.",
    )
    micro_batch: PositiveInt | Literal["auto"] = Field(
        default="auto",
        description="Records per forward pass. auto: batch_size, lowered per schedule step "
        "where the memory planner finds it would not fit (the optimizer step, batch_size x "
        "grad_accum records, never changes); an integer: exactly that many.",
    )
    gradient_checkpointing: bool | Literal["auto"] = Field(
        default="auto",
        description="Recompute activations in the backward pass (about 40% less memory, 0.7x speed "
        "on CPU). auto: on where the planner finds a micro-batch of batch_size records (GPU) or of "
        "one record (CPU) would not fit without it.",
    )
    max_length: int = Field(
        default=2048, ge=8, description="Token limit; longer prompts lose their start."
    )
    group_by_length: bool = Field(
        default=True, description="Batch records of similar length to cut padding."
    )
    loss_weights: dict[str, float] = Field(
        default_factory=dict,
        description="Per record kind loss weight overriding the method's, e.g. {answer: 0.3}.",
    )
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        default="auto",
        description="Compute precision (bf16/fp16: autocast over fp32 LoRA weights). auto: bf16 on "
        "GPUs and on CPUs with AVX512-BF16 or AMX, fp32 on other CPUs.",
    )
    seed: int = Field(default=0, description="Seeds data order, LoRA init and dropout.")
    checkpoint_every: int = Field(
        default=200, ge=0, description="Optimizer steps between checkpoints (0: step ends only)."
    )
    keep_checkpoints: int = Field(default=2, ge=1, description="Newest checkpoints kept.")
    resume: bool = Field(default=True, description="Resume from the newest complete checkpoint.")
    merge: bool = Field(
        default=False, description="Also merge the adapter into the base model (safetensors)."
    )
    max_examples: int | None = Field(
        default=None, ge=1, description="Train on at most this many examples (smoke runs)."
    )
    memory_limit_gb: float | None = Field(
        default=None,
        gt=0,
        description="Memory budget of the batch planner and the fit check; default: measured "
        "(free GPU memory, or available host RAM).",
    )
    progress: bool = Field(default=True, description="Show a progress bar.")
    log_backend: Literal["none", "tensorboard", "wandb"] = Field(
        default="none", description="Also log to tensorboard or wandb (their package needed)."
    )
    skintern_steps: int | None = Field(
        default=None,
        ge=1,
        description="T for SKIntern; default: the step files the curriculum stage wrote.",
    )
    kard_passages: int = Field(
        default=3, ge=1, description="KARD: passages retrieved per question."
    )
    kard_corpus: str | None = Field(
        default=None,
        description="KARD passage corpus (.txt paragraphs or .jsonl with `text`); default: the "
        "teacher knowledge bank split into passages.",
    )
    cascod_alpha: float = Field(
        default=0.3, ge=0, le=1, description="CasCoD: loss = (1-a) L_rationale + a L_answer."
    )

    @model_validator(mode="after")
    def _method_known(self) -> Self:
        from skintern.train.methods import methods

        if self.method not in methods:
            known = ", ".join(methods.names())
            raise ValueError(f"unknown method {self.method!r}; known: {known}")
        return self


# Keys that do not change what is trained: a checkpoint made under other values still resumes.
# (micro_batch and gradient_checkpointing change how a step is computed, not what it computes.)
RESUME_NEUTRAL = frozenset(
    {
        "checkpoint_every",
        "keep_checkpoints",
        "resume",
        "merge",
        "progress",
        "log_backend",
        "micro_batch",
        "gradient_checkpointing",
        "memory_limit_gb",
    }
)

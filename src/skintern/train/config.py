"""The `train` section of a run config: method, LoRA, optimisation, batching, checkpoints, and
each method's own settings (`train.methods.NAME`, the model its module registers).

Defaults are CPU-sized; `configs/paper/*.yaml` carry the paper's Table 5 values for GPU users.
The student (`model`) and E (`epochs`) are the run's top-level `student` and `schedule.epochs`,
copied here by the run config. Fields marked `NEUTRAL` / `RESUME_NEUTRAL` (`skintern.markers`)
do not change what is trained; `RESUME_NEUTRAL` below and the pipeline read the marks.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    create_model,
    field_validator,
    model_validator,
)

from skintern.markers import NEUTRAL, neutral_fields, run_wide
from skintern.markers import RESUME_NEUTRAL as KEEPS_WEIGHTS
from skintern.models.names import DEFAULT_STUDENT, check_model_name
from skintern.train.methods import methods


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


def _methods_model() -> type[BaseModel]:
    """`train.methods`: one section per registered method, holding its own settings model."""
    fields: dict[str, Any] = {
        name: (
            methods.get(name).settings_model,
            Field(
                default_factory=methods.get(name).settings_model,
                description=f"Settings of method `{name}`.",
            ),
        )
        for name in methods.names()
    }
    model = create_model("MethodsConfig", __config__=ConfigDict(extra="forbid"), **fields)
    model.__doc__ = "Each method's own settings, under its registry name."
    return model


MethodsConfig = _methods_model()


class TrainConfig(_Section):
    """How the student is trained (`skintern train`)."""

    method: str = Field(
        default="skintern",
        description="The method `skintern train` trains (`skintern run` trains every method in "
        "eval.methods instead).",
    )
    model: str = Field(
        default=DEFAULT_STUDENT,
        description="The run's student (alias, hub id or path).",
        json_schema_extra=run_wide("student"),
    )
    epochs: int = Field(
        default=12,
        ge=1,
        description="E, the run's epochs in all.",
        json_schema_extra=run_wide("schedule.epochs"),
    )
    finetune: Literal["lora", "qlora", "full"] = Field(
        default="lora",
        description="lora; qlora (4-bit base, needs bitsandbytes and a GPU); full fine-tuning.",
    )
    lora: LoraConfig = Field(default_factory=LoraConfig, description="LoRA settings.")
    methods: MethodsConfig = Field(  # type: ignore[valid-type]
        default_factory=MethodsConfig, description="Each method's own settings."
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
        json_schema_extra=NEUTRAL,
    )
    gradient_checkpointing: bool | Literal["auto"] = Field(
        default="auto",
        description="Recompute activations in the backward pass (about 40% less memory, 0.7x speed "
        "on CPU). auto: on where the planner finds a micro-batch of batch_size records (GPU) or of "
        "one record (CPU) would not fit without it.",
        json_schema_extra=NEUTRAL,
    )
    max_length: int = Field(
        default=2048, ge=8, description="Token limit; longer prompts lose their start."
    )
    group_by_length: bool = Field(
        default=True, description="Batch records of similar length to cut padding."
    )
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        default="auto",
        description="Compute precision (bf16/fp16: autocast over fp32 LoRA weights). auto: bf16 on "
        "GPUs and on CPUs with AVX512-BF16 or AMX, fp32 on other CPUs.",
    )
    seed: int = Field(default=0, description="Seeds data order, LoRA init and dropout.")
    checkpoint_every: int = Field(
        default=200,
        ge=0,
        description="Optimizer steps between checkpoints (0: step ends only).",
        json_schema_extra=NEUTRAL,
    )
    keep_checkpoints: int = Field(
        default=2, ge=1, description="Newest checkpoints kept.", json_schema_extra=NEUTRAL
    )
    resume: bool = Field(
        default=True,
        description="Resume from the newest complete checkpoint.",
        json_schema_extra=NEUTRAL,
    )
    merge: bool = Field(
        default=False,
        description="Also merge the adapter into the base model (safetensors); changes what is "
        "written, not the weights trained, so a checkpoint made without it resumes.",
        json_schema_extra=KEEPS_WEIGHTS,
    )
    max_examples: int | None = Field(
        default=None, ge=1, description="Train on at most this many examples (smoke runs)."
    )
    memory_limit_gb: float | None = Field(
        default=None,
        gt=0,
        description="Memory budget of the batch planner and the fit check; default: measured "
        "(free GPU memory, or available host RAM).",
        json_schema_extra=NEUTRAL,
    )
    progress: bool = Field(
        default=True, description="Show a progress bar.", json_schema_extra=NEUTRAL
    )
    log_backend: Literal["none", "tensorboard", "wandb"] = Field(
        default="none",
        description="Also log to tensorboard or wandb (their package needed).",
        json_schema_extra=NEUTRAL,
    )

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        return move_method_keys(data) if isinstance(data, dict) else data

    @field_validator("method")
    @classmethod
    def _method_known(cls, name: str) -> str:
        if name not in methods:
            known = ", ".join(methods.names())
            raise ValueError(f"unknown method {name!r}; known: {known}")
        return name

    @field_validator("model")
    @classmethod
    def _model_name(cls, name: str) -> str:
        return check_model_name(name)

    def for_method(self, name: str) -> Self:
        """This config as training `name` sees it: that method, its own settings, every other
        method's at their defaults (so another method's settings never make it retrain)."""
        kept = {name: getattr(self.methods, name)} if name in methods else {}
        return self.model_copy(update={"method": name, "methods": MethodsConfig(**kept)})


# Keys that do not change what is trained: a checkpoint made under other values still resumes.
RESUME_NEUTRAL = neutral_fields(TrainConfig, resume=True)

# Keys of `train` before the run contract (issue 13) -> their key under `train.methods`.
MOVED_TO_METHODS = {
    "kard_passages": ("kard", "passages"),
    "kard_corpus": ("kard", "corpus"),
    "cascod_alpha": ("cascod", "alpha"),
}


def move_method_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Map the old per-method keys of `train` to `train.methods.NAME.KEY`, refusing a value
    that disagrees with one given there; `loss_weights` is refused unless empty."""
    data = dict(data)
    problems = []
    settings = {name: dict(value) for name, value in dict(data.get("methods") or {}).items()}
    for old, (method, key) in MOVED_TO_METHODS.items():
        if old not in data:
            continue
        value = data.pop(old)
        given = settings.setdefault(method, {})
        if key in given and given[key] != value:
            problems.append(
                f"train.{old} = {value!r} disagrees with train.methods.{method}.{key} = "
                f"{given[key]!r}; the setting is train.methods.{method}.{key} now"
            )
        given[key] = value
    if data.pop("loss_weights", None):
        problems.append(
            "train.loss_weights is gone: a method's loss weights are its own settings now "
            "(CasCoD: train.methods.cascod.alpha)"
        )
    data.pop("skintern_steps", None)  # T is the run's schedule.steps (the run config checks it)
    if problems:
        raise ValueError("; ".join(problems))
    if settings:
        data["methods"] = settings
    return data

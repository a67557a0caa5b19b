"""The README of a TRL export (`skintern.pipeline.trl_data`): what the files are, and a script
that trains the schedule steps in order with TRL's `SFTTrainer` (tests run it as written)."""

from __future__ import annotations

from typing import Any

from skintern.train.config import TrainConfig

SCRIPT_START = "```python\n"


def student_line(cfg: TrainConfig) -> str:
    """`MODEL = ...`: the folder skintern trained (for an alias, its cache), and its hub origin."""
    from skintern.models import aliases, resolve

    path = resolve(cfg.model)
    origin = ""
    if cfg.model in aliases and aliases.get(cfg.model).hub_id:
        origin = f"; its origin on the hub: {aliases.get(cfg.model).hub_id}"
    return f'MODEL = "{path}"  # the student skintern trained ({cfg.model}{origin})'


def lora_line(cfg: TrainConfig) -> str:
    if cfg.finetune == "full":
        return "peft_config = None  # skintern fine-tuned every weight (train.finetune=full)"
    targets = cfg.lora.target_modules
    return (
        f"peft_config = LoraConfig(r={cfg.lora.r}, lora_alpha={cfg.lora.alpha}, "
        f"lora_dropout={cfg.lora.dropout}, target_modules={targets!r}, task_type='CAUSAL_LM')"
    )


def precision_arg(cfg: TrainConfig) -> str:
    """`SFTConfig`'s precision argument as skintern computes: `auto` resolved on this machine."""
    import torch

    from skintern.models.precision import resolve_precision

    chosen = resolve_precision(cfg.precision, on_gpu=torch.cuda.is_available())
    how = (
        f"train.precision=auto gave {chosen} on the machine that exported this (bf16 on a GPU "
        "and on a CPU with AVX512-BF16 or AMX, else fp32)"
        if cfg.precision == "auto"
        else f"train.precision={chosen}"
    )
    arg = "fp16=True" if chosen == "fp16" else f"bf16={chosen == 'bf16'}"
    return f"{arg},  # skintern's {how}"


def script(manifest: dict[str, Any], cfg: TrainConfig) -> str:
    """A Python script that trains every step's file, each step from the previous weights."""
    steps = ", ".join(f'("{s["file"]}", {s["epochs"]})' for s in manifest["steps"])
    clip = "None" if cfg.max_grad_norm is None else cfg.max_grad_norm
    return f"""import torch
from datasets import load_dataset
from peft import LoraConfig
from trl import SFTConfig, SFTTrainer

{student_line(cfg)}
STEPS = [{steps}]  # (file, epochs), in schedule order
{lora_line(cfg)}

model = MODEL
for t, (file, epochs) in enumerate(STEPS, start=1):
    args = SFTConfig(
        output_dir=f"trl-step-{{t}}",
        num_train_epochs=epochs,
        learning_rate={cfg.lr},
        lr_scheduler_type="{cfg.lr_scheduler}",
        warmup_steps={cfg.warmup_ratio},  # a float below 1 is a share of the steps
        weight_decay={cfg.weight_decay},
        max_grad_norm={clip},
        per_device_train_batch_size={cfg.batch_size},
        gradient_accumulation_steps={cfg.grad_accum},
        max_length={cfg.max_length},
        completion_only_loss=True,  # loss on the rationale only, as in skintern
        seed={cfg.seed},
        {precision_arg(cfg)}
        use_cpu=not torch.cuda.is_available(),  # without it TRL refuses bf16 on a CPU
        save_strategy="no",
    )
    dataset = load_dataset("json", data_files=file, split="train")
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        peft_config=peft_config if t == 1 else None,  # later steps go on with the same adapter
    )
    trainer.train()
    model = trainer.model  # step t + 1 starts from step t's weights
trainer.save_model("trl-student")
"""


def differences(cfg: TrainConfig) -> list[str]:
    """How training the script's way differs from `skintern train` with `cfg`."""
    found = [
        "TRL also trains on what the chat template writes after the end-of-turn token "
        "(SmolLM2: a newline)",
        "a record longer than `max_length` loses its end in TRL, its prompt's start in skintern",
    ]
    if cfg.gradient_checkpointing is not True:
        found.append(
            "TRL checkpoints activations by default (less memory, slower steps); skintern "
            + ("did not" if cfg.gradient_checkpointing is False else "only where memory needed it")
        )
    if not cfg.reset_optimizer:
        found.append("each TRL step starts a fresh AdamW state; skintern kept it across steps")
    if cfg.schedule_scope == "run":
        found.append("each TRL step has its own LR warm-up and decay; skintern ran one schedule")
    return found


def readme(manifest: dict[str, Any], cfg: TrainConfig) -> str:
    """The export's README.md."""
    notes = "\n".join(f"- {line}." for line in differences(cfg))
    rows = "\n".join(
        f"| {s['step']} | {'-' if s['S_t'] is None else round(s['S_t'], 3)} | {s['epochs']} "
        f"| `{s['file']}` | {s['records']} |"
        for s in manifest["steps"]
    )
    shape = (
        '`{"prompt": [{"role": "user", ...}], "completion": [{"role": "assistant", ...}]}`: '
        "TRL's conversational prompt-completion format"
        if manifest["conversational"]
        else '`{"prompt": ..., "completion": ...}`: TRL\'s standard prompt-completion format '
        "(the student has no chat template)"
    )
    return f"""# {manifest["method"]} training records for TRL

Written by `skintern curriculum export --format trl` from `{manifest["run_dir"]}`: the records
`skintern train` trains method `{manifest["method"]}` on, one file per schedule step, one record a
line, {shape}. Load one with
`datasets.load_dataset("json", data_files="step-1.jsonl", split="train")`.

| step t | S_t | epochs | file | records |
|---:|---:|---:|---|---:|
{rows}

Run the script below in this folder to train the steps in order with TRL's `SFTTrainer`
instead of `skintern train`, each step from the previous step's weights. The settings are the
run's (`manifest.json` holds all of them). What still differs from `skintern train`:

{notes}

{SCRIPT_START}{script(manifest, cfg)}```
"""

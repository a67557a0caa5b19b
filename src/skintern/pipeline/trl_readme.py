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
        bf16=torch.cuda.is_available(),  # skintern: bf16 on GPU, fp32 on CPU
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

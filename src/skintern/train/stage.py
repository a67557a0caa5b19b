"""Stage `train`: fine-tune the student with one method, progressively over its schedule steps.

Reads: the train split files `RUN/data/manifest.json` lists and what the method declares it
reads (`Method.inputs`): `RUN/teacher/{rationales,knowledge}.jsonl`, and for SKIntern the step
files `RUN/curriculum/manifest.json` lists, checked to span the config's E epochs.
Writes: `RUN/train/METHOD/` with `checkpoints/`, `train_log.jsonl`, `adapter/` (PEFT; `model/`
for full fine-tuning), optionally `merged/` (safetensors), and `manifest.json`.
CLI: `skintern train --config CONFIG --run-dir RUN [train.method=std-cot ...]`; data parallel:
`accelerate launch -m skintern train ...` unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from skintern.curriculum.schedule import epochs_per_step
from skintern.data.example import Example
from skintern.data.stage import read_split
from skintern.errors import ConfigError, DataError, ModelError
from skintern.models import resolve
from skintern.models.precision import hardware_record
from skintern.rundir import write_manifest
from skintern.train.config import TrainConfig
from skintern.train.context import build_context
from skintern.train.encode import encode_records
from skintern.train.loop import Run, StepPlan, train
from skintern.train.loss import causal_lm
from skintern.train.methods import Input, Method, MethodContext, methods
from skintern.train.model_setup import (
    GIB,
    available_memory,
    compute_precision,
    load_student,
)
from skintern.train.planner import ModelShape, StepShape, budget_for_activations, plan_step


def make_accelerator(cfg: TrainConfig) -> Any:
    """An `accelerate.Accelerator`: DDP when launched with several processes, and on GPU autocast
    in the resolved `train.precision`."""
    from accelerate import Accelerator

    on_gpu = torch.cuda.is_available()
    precision = compute_precision(cfg, on_gpu)
    if precision == "fp16" and not on_gpu:
        raise ConfigError(
            "train.precision=fp16 needs a GPU", where="train.precision", hint="use bf16 or fp32"
        )
    # CPU bf16 is autocast by the loop (`Run.cpu_autocast`): accelerate's setting is per process
    mixed = {"bf16": "bf16", "fp16": "fp16"}.get(precision, "no") if on_gpu else "no"
    return Accelerator(cpu=not on_gpu, mixed_precision=mixed)


def cpu_autocast(cfg: TrainConfig, device: torch.device) -> torch.dtype | None:
    """The dtype the loop autocasts to on CPU (None: plain fp32, or a GPU's own autocast)."""
    on_cpu = device.type != "cuda"
    return torch.bfloat16 if on_cpu and compute_precision(cfg, False) == "bf16" else None


def plan_batches(
    cfg: TrainConfig, model: Any, plans: list[StepPlan], device: torch.device
) -> list[StepPlan]:
    """Each step with the micro-batch and checkpointing the memory planner picks for it."""
    on_gpu = device.type == "cuda"
    if cfg.memory_limit_gb is not None:
        weights = sum(p.numel() * p.element_size() for p in model.parameters())
        free = cfg.memory_limit_gb * GIB - weights
    else:  # measured now, with the weights already loaded
        free = available_memory(on_gpu)[0]
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    states = trainable * 12  # fp32 gradients and two AdamW moments, not yet allocated
    budget = budget_for_activations(free, states)
    shape = ModelShape.of(causal_lm(model).config)
    planned = []
    for plan in plans:
        step = StepShape(
            [r.length for r in plan.records], [r.completion_tokens for r in plan.records]
        )
        choice = plan_step(
            step,
            shape,
            budget,
            batch_size=cfg.batch_size,
            micro_batch=cfg.micro_batch,
            checkpointing=cfg.gradient_checkpointing,
            precision=compute_precision(cfg, on_gpu),
            on_gpu=on_gpu,
            lora_dropout=cfg.finetune != "full" and cfg.lora.dropout > 0,
        )
        if choice is None:
            raise ModelError(
                f"schedule step {plan.step} does not fit in memory: its longest record has "
                f"{max(step.lengths)} tokens, and no micro-batch (train.micro_batch = "
                f"{cfg.micro_batch}, gradient_checkpointing = {cfg.gradient_checkpointing}) "
                f"fits the {max(budget, 0) / GIB:.1f} GiB left for activations",
                where="train.micro_batch" if isinstance(cfg.micro_batch, int) else "train",
                hint="lower train.max_length, use micro_batch=auto and gradient_checkpointing="
                "auto, or raise train.memory_limit_gb if the measured memory is wrong",
            )
        planned.append(
            replace(plan, micro_batch=choice.micro_batch, checkpointing=choice.checkpointing)
        )
    return planned


def build_plans(
    method: Method, ctx: MethodContext, examples: list[Example], cfg: TrainConfig, tokenizer: Any
) -> list[StepPlan]:
    """Every schedule step's encoded records, with its epochs; empty steps are an error."""
    T = method.num_steps(ctx)
    curriculum = {s.step: s for s in ctx.curriculum.steps} if ctx.curriculum else {}
    epochs = (
        [int(curriculum[t].epochs or 0) for t in range(1, T + 1)]
        if curriculum
        else epochs_per_step(cfg.epochs, T)
    )
    weights = method.loss_weights(ctx)
    plans = []
    for t in range(1, T + 1):
        records = [r for e in examples for r in method.train_records(e, ctx, t)]
        encoded, stats = encode_records(records, tokenizer, cfg.max_length, weights)
        if not encoded:
            with_rationale = sum(1 for e in examples if ctx.rationales.get(e.id))
            kept = f"{with_rationale} with a kept teacher rationale, " if ctx.rationales else ""
            raise DataError(
                f"method {method.name!r} has no training records at step {t} after filtering: "
                f"{len(examples)} training examples, {kept}{len(records)} records, "
                f"{stats.dropped} longer than train.max_length = {cfg.max_length}",
                where="train",
                hint="check `skintern teach` kept rationales, or raise train.max_length",
            )
        S_t = curriculum[t].S_t if curriculum else None
        plans.append(StepPlan(t, S_t, epochs[t - 1], encoded))
    return plans


def check_epochs(ctx: MethodContext, cfg: TrainConfig, run_dir: Path) -> None:
    """The curriculum's step files must span the config's E epochs (else they are stale)."""
    if ctx.curriculum is None:
        return
    rendered = sum(step.epochs or 0 for step in ctx.curriculum.steps)
    if rendered != cfg.epochs:
        raise DataError(
            f"the curriculum's step files span {rendered} epochs; this config's E is "
            f"schedule.epochs = {cfg.epochs}",
            where=str(run_dir / "curriculum" / "manifest.json"),
            hint="rerun `skintern curriculum` with this config (or use `skintern run`)",
        )


def run(
    cfg: TrainConfig,
    run_dir: Path,
    *,
    data_dir: str | None = None,
    on_step: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train `cfg.method` on the run's records; returns the manifest."""
    started = time.time()
    method = methods.get(cfg.method)
    cfg = cfg.for_method(cfg.method)  # another method's settings never enter the checkpoints
    out = run_dir / "train" / cfg.method
    if not method.trains:
        return {"stage": "train", "method": cfg.method, "trained": False}
    # An alias (tiny-random, smollm2-135m) is built into the cache before the process group
    # exists: once it does, save_pretrained writes nothing on ranks other than 0.
    resolve(cfg.model)
    accelerator = make_accelerator(cfg)
    torch.manual_seed(cfg.seed)
    examples = read_split(run_dir, "train")[: cfg.max_examples]
    settings = getattr(cfg.methods, cfg.method)
    ctx = build_context(method, settings, run_dir, examples, data_dir, student=cfg.model)
    check_epochs(ctx, cfg, run_dir)
    model, tokenizer = load_student(cfg, accelerator.device)
    plans = plan_batches(
        cfg, model, build_plans(method, ctx, examples, cfg, tokenizer), accelerator.device
    )
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    autocast = cpu_autocast(cfg, accelerator.device)
    distill = method.distillation(ctx)
    run_spec = Run(cfg, model, pad, plans, out, accelerator, warn, autocast, distill)
    summary = train(run_spec, on_step=on_step)
    manifest: dict[str, Any] = {}
    if accelerator.is_main_process:
        save_final(model, tokenizer, out, cfg)
        manifest = write_manifest(
            out,
            stage="train",
            method=cfg.method,
            trained=True,
            config=cfg.model_dump(mode="json"),
            processes=accelerator.num_processes,
            hardware=hardware_record(
                compute_precision(cfg, accelerator.device.type == "cuda"),
                accelerator.device.type == "cuda",
            ),
            steps=[step_record(p) for p in plans],
            **summary,
            **soft_record(method, ctx),
            wall_seconds=round(time.time() - started, 2),
        )
    accelerator.wait_for_everyone()
    return manifest


def step_record(plan: StepPlan) -> dict[str, Any]:
    """A schedule step as the train manifest lists it."""
    return {
        "step": plan.step,
        "S_t": plan.S_t,
        "epochs": plan.epochs,
        "records": len(plan.records),
        "micro_batch": plan.micro_batch,
        "gradient_checkpointing": plan.checkpointing,
    }


def soft_record(method: Method, ctx: MethodContext) -> dict[str, Any]:
    """For a method that distils teacher logprobs: whether it did, or why it fell back to text."""
    if Input.TEACHER_TOKENS not in method.inputs:
        return {}
    distilled = method.distillation(ctx) is not None
    return {"soft_targets": {"distilled": distilled, "fallback": ctx.soft_fallback}}


def save_final(model: Any, tokenizer: Any, out: Path, cfg: TrainConfig) -> None:
    """The adapter (or full model) as safetensors; with `merge`, the merged model too."""
    if cfg.finetune == "full":
        model.save_pretrained(out / "model", safe_serialization=True)
        tokenizer.save_pretrained(out / "model")
        return
    model.save_pretrained(out / "adapter", safe_serialization=True)
    if cfg.merge:
        merged = model.merge_and_unload()
        merged.save_pretrained(out / "merged", safe_serialization=True)
        tokenizer.save_pretrained(out / "merged")

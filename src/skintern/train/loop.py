"""The one training loop every method shares, progressive over schedule steps (paper Eq. 5).

For each schedule step t = 1..T (T = 1 for all methods but SKIntern): E_t epochs over that step's
records, with the same (LoRA) weights carried forward. The LR schedule restarts per step or spans
the run (`train.schedule_scope`); the AdamW state is kept unless `train.reset_optimizer`.

An optimizer step takes one global batch (see `batching`), runs this process's micro-batches
(no gradient sync but on the last), and normalises the summed, weighted token losses by the
global batch's completion tokens, so accumulation and data parallelism do not change the loss.
Checkpoints are written every `checkpoint_every` steps and at each schedule step's end.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from skintern.errors import DataError
from skintern.train import checkpoint as ckpt
from skintern.train.batching import epoch_order, local_micro_batches, order_seed
from skintern.train.config import RESUME_NEUTRAL, TrainConfig
from skintern.train.encode import Encoded, collate
from skintern.train.loss import CompletionLoss
from skintern.train.progress import TrainLog, progress_bar


@dataclass
class StepPlan:
    """One schedule step: t, S_t (None outside SKIntern), its epochs and encoded records."""

    step: int
    S_t: float | None
    epochs: int
    records: list[Encoded]


@dataclass
class Run:
    """What the loop trains, with what, and where it writes."""

    cfg: TrainConfig
    model: nn.Module
    pad_id: int
    plans: list[StepPlan]
    out_dir: Path
    accelerator: Any
    warn: Callable[[str], None] = print


def data_fingerprint(plans: list[StepPlan]) -> str:
    digest = hashlib.sha256()
    for plan in plans:
        digest.update(json.dumps([plan.step, plan.S_t, plan.epochs]).encode())
        for r in plan.records:
            digest.update(json.dumps([r.prompt_ids, r.target_ids, r.weight]).encode())
    return digest.hexdigest()[:16]


def identity(run: Run, global_batch: int) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: the config less neutral keys, and the data."""
    config = run.cfg.model_dump(mode="json", exclude=set(RESUME_NEUTRAL))
    return {**config, "global_batch": global_batch, "data": data_fingerprint(run.plans)}


def _scheduler(run: Run, optimizer: Any, steps: int) -> Any:
    from transformers import get_scheduler

    warmup = int(round(run.cfg.warmup_ratio * steps))
    return get_scheduler(run.cfg.lr_scheduler, optimizer, warmup, max(steps, 1))


def _adamw(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    trainable = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay)


def _next(pos: ckpt.Position, batches: int, epochs: int) -> ckpt.Position:
    """The position after finishing batch `pos.batch`, rolling over epochs and steps."""
    nxt = ckpt.Position(pos.step_index, pos.epoch, pos.batch + 1, pos.global_step, pos.tokens)
    if nxt.batch == batches:
        nxt.epoch, nxt.batch = nxt.epoch + 1, 0
    if nxt.epoch == epochs:
        nxt.step_index, nxt.epoch = nxt.step_index + 1, 0
    return nxt


def train(run: Run, on_step: Callable[[int], None] | None = None) -> dict[str, Any]:  # noqa: C901, PLR0915
    """Train through every schedule step, resuming from the newest whole checkpoint."""
    cfg, acc = run.cfg, run.accelerator
    world, rank = acc.num_processes, acc.process_index
    global_batch = cfg.batch_size * cfg.grad_accum * world
    lengths = [[r.length for r in plan.records] for plan in run.plans]
    per_epoch = [len(epoch_order(n, global_batch, 0, cfg.group_by_length, world)) for n in lengths]
    for plan, batches in zip(run.plans, per_epoch, strict=True):
        if batches == 0:
            raise DataError(
                f"schedule step {plan.step} has {len(plan.records)} records, fewer than the "
                f"{world} processes",
                where="train",
            )
    total_steps = sum(p.epochs * n for p, n in zip(run.plans, per_epoch, strict=True))
    key = identity(run, global_batch)
    root = run.out_dir / "checkpoints"
    if cfg.resume:
        snap = ckpt.load_latest(root, key, run.warn if acc.is_main_process else lambda _: None)
    else:  # start over: old checkpoints would otherwise be taken for this run's later
        snap = None
        acc.wait_for_everyone()
        if acc.is_main_process:
            shutil.rmtree(root, ignore_errors=True)
        acc.wait_for_everyone()
    pos = snap.position if snap else ckpt.Position()
    model = run.model
    if snap:
        missing = set(snap.trainable) - {n for n, p in model.named_parameters() if p.requires_grad}
        if missing:
            raise DataError(
                f"checkpoint has unknown weights: {sorted(missing)[:3]}", where=str(snap.path)
            )
        model.load_state_dict(snap.trainable, strict=False)
    # Model and first optimizer are prepared together, as FSDP needs; parameters are read back
    # from the wrapped module (FSDP with use_orig_params keeps them as they are).
    module, optimizer = acc.prepare(CompletionLoss(model), _adamw(model, cfg))
    params = [p for p in module.parameters() if p.requires_grad]
    log = (
        TrainLog(
            run.out_dir / "train_log.jsonl", pos.global_step if snap else None, cfg.log_backend
        )
        if acc.is_main_process
        else None
    )
    if log and snap:
        log.write({"event": "resume", "global_step": pos.global_step, "checkpoint": snap.path.name})

    def save(at: ckpt.Position, order: list[list[int]] | None) -> None:
        acc.wait_for_everyone()
        ckpt.write_rng(ckpt.tmp_dir(root, at.global_step), rank)
        acc.wait_for_everyone()
        if acc.is_main_process:
            parts = {
                "trainable": ckpt.trainable_state(model),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
            }
            ckpt.write(root, at, parts, key, order, cfg.keep_checkpoints)
        acc.wait_for_everyone()

    scheduler = None
    first_step = pos.step_index
    started, done_tokens = time.time(), 0
    bar = progress_bar(cfg.progress and acc.is_main_process)
    with bar:
        task = bar.add_task(
            "training", total=total_steps, completed=pos.global_step, loss="-", tps="-"
        )
        for si in range(pos.step_index, len(run.plans)):
            plan, batches = run.plans[si], per_epoch[si]
            resuming = snap is not None and si == snap.position.step_index
            parts = ckpt.read_parts(snap.path, rank) if resuming else {}
            boundary = (pos.epoch, pos.batch) == (0, 0)
            if cfg.reset_optimizer and si != first_step:
                optimizer = acc.prepare(_adamw(module, cfg))
            if resuming and not (boundary and cfg.reset_optimizer):
                optimizer.load_state_dict(parts["optimizer"])
            if scheduler is None or cfg.schedule_scope == "step":
                span = plan.epochs * batches if cfg.schedule_scope == "step" else total_steps
                scheduler = _scheduler(run, optimizer, span)
            if resuming and not (boundary and cfg.schedule_scope == "step"):
                scheduler.load_state_dict(parts["scheduler"])
            order = snap.order if resuming else None
            if resuming:
                # Building a scheduler sets the lr, loading optimizer state sets it again: the
                # scheduler's own value is the one the uninterrupted run has at this point.
                for group, lr in zip(optimizer.param_groups, scheduler.get_last_lr(), strict=True):
                    group["lr"] = lr
                ckpt.set_rng_state(parts["rng"])
            if log:
                log.write(
                    {
                        "event": "step_start",
                        "schedule_step": plan.step,
                        "S_t": plan.S_t,
                        "epochs": plan.epochs,
                        "records": len(plan.records),
                        "global_step": pos.global_step,
                        "mean_prompt_tokens": sum(len(r.prompt_ids) for r in plan.records)
                        / len(plan.records),
                    }
                )
            label = f"step {plan.step}/{len(run.plans)}" + (
                f" S_t={plan.S_t:.2f}" if plan.S_t is not None else ""
            )
            for epoch in range(pos.epoch if si == pos.step_index else 0, plan.epochs):
                if order is None:
                    seed = order_seed(cfg.seed, plan.step, epoch)
                    order = epoch_order(lengths[si], global_batch, seed, cfg.group_by_length, world)
                first = pos.batch if (si, epoch) == (pos.step_index, pos.epoch) else 0
                for b in range(first, batches):
                    tick = time.time()
                    batch = order[b]
                    n_target = sum(plan.records[i].completion_tokens for i in batch)
                    n_tokens = sum(lengths[si][i] for i in batch)
                    micro = local_micro_batches(batch, lengths[si], cfg.batch_size, rank, world)
                    local = torch.zeros((), device=acc.device)
                    for j, ids in enumerate(micro):
                        tensors = {
                            k: v.to(acc.device)
                            for k, v in collate([plan.records[i] for i in ids], run.pad_id).items()
                        }
                        sync = (
                            contextlib.nullcontext() if j == len(micro) - 1 else acc.no_sync(module)
                        )
                        with sync:
                            with acc.autocast():
                                loss_sum, _ = module(**tensors)
                            acc.backward(loss_sum * (world / n_target))
                        local += loss_sum.detach()
                    if cfg.max_grad_norm:
                        acc.clip_grad_norm_(params, cfg.max_grad_norm)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                    loss = acc.reduce(local, reduction="sum").item() / n_target
                    pos = ckpt.Position(si, epoch, b, pos.global_step + 1, pos.tokens + n_tokens)
                    done_tokens += n_tokens
                    tps = n_tokens / max(time.time() - tick, 1e-9)
                    if log:
                        log.write(
                            {
                                "global_step": pos.global_step,
                                "schedule_step": plan.step,
                                "S_t": plan.S_t,
                                "epoch": epoch,
                                "batch": b,
                                "loss": loss,
                                "lr": scheduler.get_last_lr()[0],
                                "tokens": n_tokens,
                                "completion_tokens": n_target,
                                "tokens_per_s": round(tps, 1),
                                "elapsed_s": round(time.time() - started, 3),
                            }
                        )
                    bar.update(
                        task,
                        advance=1,
                        description=f"{label} epoch {epoch + 1}/{plan.epochs}",
                        loss=f"{loss:.4f}",
                        tps=f"{tps:,.0f}",
                    )
                    pos = _next(pos, batches, plan.epochs)
                    step_end = pos.step_index != si
                    if (
                        cfg.checkpoint_every
                        and pos.global_step % cfg.checkpoint_every == 0
                        and not step_end
                    ):
                        save(pos, order if pos.batch else None)
                    if on_step is not None:
                        on_step(pos.global_step)
                order = None
            save(pos, None)
            if log:
                log.write(
                    {
                        "event": "step_end",
                        "schedule_step": plan.step,
                        "global_step": pos.global_step,
                    }
                )
    seconds = time.time() - started
    return {
        "global_steps": pos.global_step,
        "tokens": pos.tokens,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(done_tokens / max(seconds, 1e-9), 1),
    }

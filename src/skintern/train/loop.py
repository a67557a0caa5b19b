"""The one training loop every method shares, progressive over schedule steps (paper Eq. 5).

For each schedule step t = 1..T (T = 1 for all methods but SKIntern): E_t epochs over that step's
records, with the same (LoRA) weights carried forward. The LR schedule restarts per step or spans
the run (`train.schedule_scope`); the AdamW state is kept unless `train.reset_optimizer`.

An optimizer step takes one global batch (see `batching`), runs this process's micro-batches
(no gradient sync but on the last), and normalises the summed, weighted token losses by the
global batch's completion tokens, so accumulation and data parallelism do not change the loss.
Checkpoints are written every `checkpoint_every` steps and at each schedule step's end.

The shape, in nanoGPT's spirit: `train` sets up (`_start`), resumes (`_resume`), then runs each
schedule step (`_begin_step`, then `_optimizer_step` per batch) and checkpoints (`_save`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from skintern.train.model_setup import set_checkpointing
from skintern.train.progress import TrainLog, progress_bar
from skintern.train.self_targets import load_targets, save_targets, self_soft_targets, targets_path
from skintern.train.soft import Distill


@dataclass
class StepPlan:
    """One schedule step: t, S_t (None outside SKIntern), its epochs and encoded records, and
    how its optimizer steps are computed (`skintern.train.planner`; None: `batch_size`)."""

    step: int
    S_t: float | None
    epochs: int
    records: list[Encoded]
    micro_batch: int | None = None
    checkpointing: bool = False


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
    # bf16 autocast on CPU, applied here rather than through accelerate's mixed precision, which
    # is fixed for the whole process (a second run in it with another precision would fail).
    cpu_autocast: torch.dtype | None = None
    distill: Distill | None = None  # the method's KL term on soft targets, if it distils


def data_fingerprint(plans: list[StepPlan]) -> str:
    digest = hashlib.sha256()
    for plan in plans:
        digest.update(json.dumps([plan.step, plan.S_t, plan.epochs]).encode())
        for r in plan.records:
            digest.update(json.dumps([r.prompt_ids, r.target_ids, r.weight]).encode())
            if r.soft is not None or r.teacher_prompt_ids is not None:
                soft = r.soft and [r.soft.ids, r.soft.logprobs]
                digest.update(json.dumps([r.teacher_prompt_ids, soft]).encode())
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


@dataclass
class _Loop:
    """Everything the loop changes as it goes: the wrapped model, optimizer, scheduler, position."""

    run: Run
    module: Any
    optimizer: Any
    params: list[nn.Parameter]
    key: dict[str, Any]
    root: Path
    global_batch: int
    per_epoch: list[int]
    total_steps: int
    snap: ckpt.Snapshot | None
    pos: ckpt.Position
    log: TrainLog | None
    scheduler: Any = None
    done_tokens: int = 0
    started: float = 0.0
    cpu_started: float = (
        0.0  # process CPU time: a cost that a paused (SIGSTOP) run does not inflate
    )
    before: ckpt.Spent = field(default_factory=ckpt.Spent)  # earlier invocations' training time
    last_kl: float | None = None  # the last optimizer step's KL per completion token (distilling)

    @property
    def acc(self) -> Any:
        return self.run.accelerator


def _batches_per_epoch(run: Run, global_batch: int) -> list[int]:
    """Optimizer steps per epoch of each schedule step; a step too small to share is an error."""
    world = run.accelerator.num_processes
    per_epoch = []
    for plan in run.plans:
        lengths = [r.length for r in plan.records]
        batches = len(epoch_order(lengths, global_batch, 0, run.cfg.group_by_length, world))
        if batches == 0:
            raise DataError(
                f"schedule step {plan.step} has {len(plan.records)} records, fewer than the "
                f"{world} processes",
                where="train",
            )
        per_epoch.append(batches)
    return per_epoch


def _resume(run: Run, key: dict[str, Any], root: Path) -> ckpt.Snapshot | None:
    """The newest whole checkpoint of this run, loaded into the model; or none, old ones removed."""
    acc, model = run.accelerator, run.model
    if not run.cfg.resume:  # start over: a later resume would otherwise take the old checkpoints
        acc.wait_for_everyone()
        if acc.is_main_process:
            shutil.rmtree(root, ignore_errors=True)
        acc.wait_for_everyone()
        return None
    snap = ckpt.load_latest(root, key, run.warn if acc.is_main_process else lambda _: None)
    if snap:
        missing = set(snap.trainable) - {n for n, p in model.named_parameters() if p.requires_grad}
        if missing:
            raise DataError(
                f"checkpoint has unknown weights: {sorted(missing)[:3]}", where=str(snap.path)
            )
        model.load_state_dict(snap.trainable, strict=False)
    return snap


def _start(run: Run) -> _Loop:
    """Plan the epochs, resume if a checkpoint matches, wrap model and optimizer, open the log."""
    cfg, acc = run.cfg, run.accelerator
    global_batch = cfg.batch_size * cfg.grad_accum * acc.num_processes
    per_epoch = _batches_per_epoch(run, global_batch)
    key = identity(run, global_batch)
    root = run.out_dir / "checkpoints"
    snap = _resume(run, key, root)
    pos = snap.position if snap else ckpt.Position()
    # Model and first optimizer are prepared together, as FSDP needs; parameters are read back
    # from the wrapped module (FSDP with use_orig_params keeps them as they are).
    module, optimizer = acc.prepare(CompletionLoss(run.model, run.distill), _adamw(run.model, cfg))
    log = None
    if acc.is_main_process:
        log = TrainLog(
            run.out_dir / "train_log.jsonl", pos.global_step if snap else None, cfg.log_backend
        )
        if snap:
            log.write(
                {"event": "resume", "global_step": pos.global_step, "checkpoint": snap.path.name}
            )
    return _Loop(
        run=run,
        module=module,
        optimizer=optimizer,
        params=[p for p in module.parameters() if p.requires_grad],
        key=key,
        root=root,
        global_batch=global_batch,
        per_epoch=per_epoch,
        total_steps=sum(p.epochs * n for p, n in zip(run.plans, per_epoch, strict=True)),
        snap=snap,
        pos=pos,
        log=log,
        started=time.time(),
        cpu_started=time.process_time(),
        before=snap.spent if snap else ckpt.Spent(),
    )


def _spent(loop: _Loop) -> ckpt.Spent:
    """Training time so far, earlier invocations included: a resumed run reports its whole cost."""
    return ckpt.Spent(
        round(loop.before.seconds + time.time() - loop.started, 2),
        round(loop.before.cpu_seconds + time.process_time() - loop.cpu_started, 2),
    )


def _save(loop: _Loop, at: ckpt.Position, order: list[list[int]] | None) -> None:
    """A whole checkpoint at `at` (every process writes its RNG state, the main one the rest)."""
    acc, cfg = loop.acc, loop.run.cfg
    acc.wait_for_everyone()
    ckpt.write_rng(ckpt.tmp_dir(loop.root, at.global_step), acc.process_index)
    acc.wait_for_everyone()
    if acc.is_main_process:
        parts = {
            "trainable": ckpt.trainable_state(loop.run.model),
            "optimizer": loop.optimizer.state_dict(),
            "scheduler": loop.scheduler.state_dict(),
        }
        ckpt.write(loop.root, at, parts, loop.key, order, cfg.keep_checkpoints, _spent(loop))
    acc.wait_for_everyone()


def _begin_step(loop: _Loop, si: int, first_step: int) -> list[list[int]] | None:
    """Optimizer and LR schedule for schedule step `si`, restored when resuming into it; returns
    the resumed epoch's data order, if any."""
    cfg, acc, plan = loop.run.cfg, loop.acc, loop.run.plans[si]
    resuming = loop.snap is not None and si == loop.snap.position.step_index
    parts = ckpt.read_parts(loop.snap.path, acc.process_index) if resuming else {}
    boundary = (loop.pos.epoch, loop.pos.batch) == (0, 0)
    if cfg.reset_optimizer and si != first_step:
        loop.optimizer = acc.prepare(_adamw(loop.module, cfg))
    if resuming and not (boundary and cfg.reset_optimizer):
        loop.optimizer.load_state_dict(parts["optimizer"])
    if loop.scheduler is None or cfg.schedule_scope == "step":
        span = (
            plan.epochs * loop.per_epoch[si] if cfg.schedule_scope == "step" else loop.total_steps
        )
        loop.scheduler = _scheduler(loop.run, loop.optimizer, span)
    if resuming and not (boundary and cfg.schedule_scope == "step"):
        loop.scheduler.load_state_dict(parts["scheduler"])
    set_checkpointing(loop.run.model, plan.checkpointing)
    _refresh_self_targets(loop, si)
    if not resuming:
        return None
    # Building a scheduler sets the lr, loading optimizer state sets it again: the scheduler's
    # own value is the one the uninterrupted run has at this point.
    for group, lr in zip(loop.optimizer.param_groups, loop.scheduler.get_last_lr(), strict=True):
        group["lr"] = lr
    ckpt.set_rng_state(parts["rng"])
    return loop.snap.order


def _refresh_self_targets(loop: _Loop, si: int) -> None:
    """Self-context distillation: the step's soft targets from the model as it stands now (saved
    beside the checkpoints, so a run resumed within the step reads the very same ones)."""
    run, plan = loop.run, loop.run.plans[si]
    if run.distill is None or not any(r.teacher_prompt_ids for r in plan.records):
        return
    key = hashlib.sha256(json.dumps(loop.key, sort_keys=True).encode()).hexdigest()[:16]
    path = targets_path(loop.root, plan.step)
    records = load_targets(path, plan.records, key)
    if records is None:
        started = time.time()
        records = self_soft_targets(
            run.model, plan.records, run.distill.top_k, run.pad_id, lambda: _autocast(loop)
        )
        if loop.acc.is_main_process:
            save_targets(path, records, key)
        if loop.log:
            seconds = round(time.time() - started, 2)
            # tokens read with no gradient: not in the run's training tokens
            read = sum(len(r.teacher_prompt_ids or ()) + len(r.target_ids) for r in plan.records)
            event = {"event": "self_targets", "schedule_step": plan.step}
            loop.log.write({**event, "seconds": seconds, "tokens": read})
    loop.acc.wait_for_everyone()
    run.plans[si] = replace(plan, records=records)


def _autocast(loop: _Loop) -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(loop.acc.autocast())
    stack.enter_context(_cpu_autocast(loop.run.cpu_autocast))
    return stack


def _optimizer_step(
    loop: _Loop, plan: StepPlan, lengths: list[int], batch: list[int]
) -> tuple[float, int, int]:
    """One optimizer step over a global batch (`lengths`: the step's record lengths):
    (mean loss, tokens, completion tokens)."""
    cfg, acc, run = loop.run.cfg, loop.acc, loop.run
    world = acc.num_processes
    n_target = sum(plan.records[i].completion_tokens for i in batch)
    micro_size = plan.micro_batch or cfg.batch_size
    micro = local_micro_batches(batch, lengths, micro_size, acc.process_index, world)
    local = torch.zeros((), device=acc.device)
    kl = torch.zeros((), device=acc.device)
    for j, ids in enumerate(micro):
        tensors = collate([plan.records[i] for i in ids], run.pad_id)
        tensors = {k: v.to(acc.device) for k, v in tensors.items()}
        sync = contextlib.nullcontext() if j == len(micro) - 1 else acc.no_sync(loop.module)
        with sync:
            with _autocast(loop):
                loss_sum, _ = loop.module(**tensors)
            acc.backward(loss_sum * (world / n_target))
        local += loss_sum.detach()
        kl += acc.unwrap_model(loop.module).last_kl if run.distill else 0.0
    if cfg.max_grad_norm:
        acc.clip_grad_norm_(loop.params, cfg.max_grad_norm)
    loop.optimizer.step()
    loop.scheduler.step()
    loop.optimizer.zero_grad(set_to_none=True)
    loss = acc.reduce(local, reduction="sum").item() / n_target
    loop.last_kl = acc.reduce(kl, reduction="sum").item() / n_target if run.distill else None
    return loss, sum(lengths[i] for i in batch), n_target


def _cpu_autocast(dtype: torch.dtype | None) -> Any:
    return torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None)


def _log_step(loop: _Loop, plan: StepPlan, row: dict[str, Any]) -> None:
    if loop.log:
        loop.log.write(
            {
                "global_step": loop.pos.global_step,
                "schedule_step": plan.step,
                "S_t": plan.S_t,
                **row,
                "lr": loop.scheduler.get_last_lr()[0],
                "elapsed_s": round(time.time() - loop.started, 3),
                # process CPU beside wall time: their ratio tells a paused run (about 0) from
                # one that shares its cores (about half its threads)
                "cpu_s": round(time.process_time() - loop.cpu_started, 3),
            }
        )


def _log_step_start(loop: _Loop, plan: StepPlan) -> None:
    if loop.log:
        loop.log.write(
            {
                "event": "step_start",
                "schedule_step": plan.step,
                "S_t": plan.S_t,
                "epochs": plan.epochs,
                "records": len(plan.records),
                "global_step": loop.pos.global_step,
                "mean_prompt_tokens": sum(len(r.prompt_ids) for r in plan.records)
                / len(plan.records),
                "micro_batch": plan.micro_batch or loop.run.cfg.batch_size,
                "gradient_checkpointing": plan.checkpointing,
            }
        )


def _run_step(loop: _Loop, si: int, first_step: int, bar: Any, task: Any, on_step: Any) -> None:
    """Every epoch of schedule step `si`, from the current position, then its checkpoint."""
    order = _begin_step(loop, si, first_step)
    cfg, plan, batches = loop.run.cfg, loop.run.plans[si], loop.per_epoch[si]
    world = loop.acc.num_processes
    _log_step_start(loop, plan)
    label = f"step {plan.step}/{len(loop.run.plans)}" + (
        f" S_t={plan.S_t:.2f}" if plan.S_t is not None else ""
    )
    lengths = [r.length for r in plan.records]
    for epoch in range(loop.pos.epoch if si == loop.pos.step_index else 0, plan.epochs):
        if order is None:
            seed = order_seed(cfg.seed, plan.step, epoch)
            order = epoch_order(lengths, loop.global_batch, seed, cfg.group_by_length, world)
        first = loop.pos.batch if (si, epoch) == (loop.pos.step_index, loop.pos.epoch) else 0
        for b in range(first, batches):
            tick = time.time()
            loss, n_tokens, n_target = _optimizer_step(loop, plan, lengths, order[b])
            pos = loop.pos
            loop.pos = ckpt.Position(si, epoch, b, pos.global_step + 1, pos.tokens + n_tokens)
            loop.done_tokens += n_tokens
            tps = n_tokens / max(time.time() - tick, 1e-9)
            row = {"epoch": epoch, "batch": b, "loss": loss, "tokens": n_tokens}
            row |= {"kl": loop.last_kl} if loop.last_kl is not None else {}
            _log_step(
                loop, plan, {**row, "completion_tokens": n_target, "tokens_per_s": round(tps, 1)}
            )
            description = f"{label} epoch {epoch + 1}/{plan.epochs}"
            bar.update(
                task, advance=1, description=description, loss=f"{loss:.4f}", tps=f"{tps:,.0f}"
            )
            loop.pos = _next(loop.pos, batches, plan.epochs)
            every = cfg.checkpoint_every
            if every and loop.pos.global_step % every == 0 and loop.pos.step_index == si:
                _save(loop, loop.pos, order if loop.pos.batch else None)
            if on_step is not None:
                on_step(loop.pos.global_step)
        order = None
    _save(loop, loop.pos, None)
    if loop.log:
        loop.log.write(
            {"event": "step_end", "schedule_step": plan.step, "global_step": loop.pos.global_step}
        )


def train(run: Run, on_step: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Train through every schedule step, resuming from the newest whole checkpoint."""
    loop = _start(run)
    first_step = loop.pos.step_index
    bar = progress_bar(run.cfg.progress and run.accelerator.is_main_process)
    with bar:
        task = bar.add_task(
            "training", total=loop.total_steps, completed=loop.pos.global_step, loss="-", tps="-"
        )
        for si in range(loop.pos.step_index, len(run.plans)):
            _run_step(loop, si, first_step, bar, task, on_step)
    set_checkpointing(run.model, False)
    spent = _spent(loop)
    return {
        "global_steps": loop.pos.global_step,
        "tokens": loop.pos.tokens,
        "seconds": spent.seconds,
        "cpu_seconds": spent.cpu_seconds,
        # the throughput of this invocation's own steps
        "tokens_per_s": round(loop.done_tokens / max(time.time() - loop.started, 1e-9), 1),
    }

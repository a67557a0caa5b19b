"""Self-context distillation's teacher: the student itself, reading a privileged prompt.

For each record with a `teacher_prompt_ids` (the full knowledge and examples), the current model,
in eval mode and with no gradient, reads that prompt followed by the target and keeps its top-K
log-probabilities at every target token: the soft targets (`skintern.train.soft`) that the
question-only student is then trained towards. The loop refreshes them at the start of each
schedule step, so the teacher is the student as it stands then (Snell et al., 2022, "Learning by
Distilling Context", with the context teacher refreshed per step instead of frozen), at the cost
of one forward pass of the long prompts per step instead of a training step on them every epoch.
Each step's targets are saved beside the checkpoints, so a resumed run reuses them exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from skintern.train.encode import Encoded, collate
from skintern.train.loss import CompletionLoss
from skintern.train.soft import SoftTargets

MAX_PASS_TOKENS = 4096  # padded tokens per no-grad pass: the loop's CPU cap on a micro-batch


def _passes(records: Sequence[Encoded], todo: list[int]) -> list[list[int]]:
    """The records to score, by length, in passes of at most MAX_PASS_TOKENS padded tokens."""
    order = sorted(
        todo, key=lambda i: len(records[i].teacher_prompt_ids) + len(records[i].target_ids)
    )
    passes: list[list[int]] = []
    for i in order:
        width = len(records[i].teacher_prompt_ids) + len(records[i].target_ids)
        if passes and width * (len(passes[-1]) + 1) <= MAX_PASS_TOKENS:
            passes[-1].append(i)
        else:
            passes.append([i])
    return passes


@torch.no_grad()
def self_soft_targets(
    model: torch.nn.Module,
    records: Sequence[Encoded],
    top_k: int,
    pad_id: int,
    autocast: Callable[[], Any],
) -> list[Encoded]:
    """`records` with `soft` set from the model's own top-K under each record's teacher prompt
    (records without one are returned as they are)."""
    todo = [i for i, r in enumerate(records) if r.teacher_prompt_ids is not None]
    scorer = CompletionLoss(model)
    out = list(records)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        for batch in _passes(records, todo):
            items = [replace(records[i], prompt_ids=records[i].teacher_prompt_ids) for i in batch]
            tensors = {k: v.to(device) for k, v in collate(items, pad_id).items()}
            with autocast():
                logits, _ = scorer.completion_logits(
                    tensors["input_ids"], tensors["attention_mask"], tensors["labels"]
                )
            top = torch.log_softmax(logits.float(), dim=-1).topk(top_k, dim=-1)
            ids, logprobs = top.indices.cpu().tolist(), top.values.cpu().tolist()
            start = 0
            for i in batch:
                end = start + records[i].completion_tokens
                soft = SoftTargets(
                    tuple(map(tuple, ids[start:end])), tuple(map(tuple, logprobs[start:end]))
                )
                out[i] = replace(records[i], soft=soft)
                start = end
    finally:
        model.train(was_training)
    return out


def targets_path(root: Path, step: int) -> Path:
    return root / f"self-targets-step-{step}.pt"


def save_targets(path: Path, records: Sequence[Encoded], key: str) -> None:
    """The step's soft targets (written atomically), under the run's checkpoint identity `key`."""
    soft = [
        None
        if r.soft is None
        else (torch.tensor(r.soft.ids, dtype=torch.int32), torch.tensor(r.soft.logprobs))
        for r in records
    ]
    tmp = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"key": key, "soft": soft}, tmp)
    tmp.replace(path)


def load_targets(path: Path, records: Sequence[Encoded], key: str) -> list[Encoded] | None:
    """`records` with the saved soft targets, or None when none were saved for this run."""
    if not path.is_file():
        return None
    saved = torch.load(path, weights_only=True)
    if saved["key"] != key or len(saved["soft"]) != len(records):
        return None
    return [
        r
        if s is None
        else replace(
            r, soft=SoftTargets(tuple(map(tuple, s[0].tolist())), tuple(map(tuple, s[1].tolist())))
        )
        for r, s in zip(records, saved["soft"], strict=True)
    ]

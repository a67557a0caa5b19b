"""Records -> token ids with completion-only labels, and micro-batches of them.

The prompt is rendered with `skintern.models.chat.format_prompt` (the one function evaluation
uses too), tokenized without extra special tokens as evaluation does; the target is followed by
EOS (the chat template's end of turn for SmolLM2) so the student learns to stop. Prompt positions
are masked from the loss (label -100).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from skintern.models.chat import format_prompt
from skintern.train.methods.base import TrainRecord
from skintern.train.soft import SoftTargets, pack

IGNORE = -100


@dataclass(frozen=True, slots=True)
class Encoded:
    """One tokenized record: prompt ids, then target ids (EOS included), and its loss weight;
    for distilling methods its soft targets, or the privileged prompt that will give them."""

    prompt_ids: tuple[int, ...]
    target_ids: tuple[int, ...]
    weight: float
    kind: str
    soft: SoftTargets | None = None
    teacher_prompt_ids: tuple[int, ...] | None = None

    @property
    def length(self) -> int:
        return len(self.prompt_ids) + len(self.target_ids)

    @property
    def completion_tokens(self) -> int:
        return len(self.target_ids)


@dataclass
class EncodeStats:
    records: int = 0
    prompts_cut: int = 0  # prompt start dropped to fit max_length
    dropped: int = 0  # the target alone does not fit


def encode_records(
    records: Sequence[TrainRecord],
    tokenizer: Any,
    max_length: int,
    weights: dict[str, float],
) -> tuple[list[Encoded], EncodeStats]:
    """Tokenize `records`; `weights` maps a record kind to its loss weight (times its own)."""
    stats = EncodeStats()
    eos = tokenizer.eos_token_id
    encoded = []
    for record in records:
        target = (
            record.target_ids or tokenizer(record.target, add_special_tokens=False)["input_ids"]
        )
        target = [*target, eos] if eos is not None else list(target)
        room = max_length - len(target)
        if room < 1:
            stats.dropped += 1
            continue
        prompt_ids, cut = _prompt_ids(tokenizer, record.prompt, room)
        stats.prompts_cut += cut
        teacher_ids = None
        if record.teacher_prompt is not None:
            teacher_ids, _ = _prompt_ids(tokenizer, record.teacher_prompt, room)
        weight = record.weight * weights.get(record.kind, 1.0)
        encoded.append(
            Encoded(prompt_ids, tuple(target), weight, record.kind, record.soft, teacher_ids)
        )
        stats.records += 1
    return encoded, stats


def _prompt_ids(tokenizer: Any, prompt: str, room: int) -> tuple[tuple[int, ...], bool]:
    """The chat-formatted prompt's ids, its start dropped to fit `room`; and whether it was cut."""
    ids = tokenizer(format_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    return tuple(ids[-room:]), len(ids) > room


def collate(items: Sequence[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded `input_ids`, `attention_mask`, `labels` (-100 off-target) and `weights`;
    with soft targets, also `soft_ids` / `soft_logprobs`, one row per completion token."""
    width = max(item.length for item in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    labels = torch.full((len(items), width), IGNORE, dtype=torch.long)
    weights = torch.zeros((len(items), width), dtype=torch.float32)
    for row, item in enumerate(items):
        sequence = item.prompt_ids + item.target_ids
        start, end = len(item.prompt_ids), item.length
        ids[row, :end] = torch.tensor(sequence)
        mask[row, :end] = 1
        labels[row, start:end] = torch.tensor(item.target_ids)
        weights[row, start:end] = item.weight
    batch = {"input_ids": ids, "attention_mask": mask, "labels": labels, "weights": weights}
    if any(item.soft for item in items):
        batch |= pack([item.soft for item in items], [item.completion_tokens for item in items])
    return batch

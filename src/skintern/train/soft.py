"""Soft targets: a teacher's top-K token distribution per target token, and the KL term on them.

Two sources fill them: the teacher's own top-K logprobs, returned by its server and cached beside
its text (`std-cot-kd`), and the student itself reading privileged context with no gradient
(self-context distillation, `skintern-scd`, `skintern.train.self_targets`). Both reach the loss in
one form, so one function computes the term for both.

The KL is the forward KL(p || q) of the teacher p and the student q over K + 1 buckets: the
teacher's top-K tokens and one tail bucket holding the rest of the mass (1 - sum of the top-K),
so a truncated teacher is compared exactly, not renormalised (TRL's GKD and DistillKit's sparse
mode renormalise over the top-K instead). A temperature T divides both sides' bucket
log-probabilities before normalising, and the term is scaled by T^2 (Hinton et al., 2015), so
its gradient keeps its size as T changes; at T = 1 it is the exact KL over the buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where a tensor is made: the method registry stays light
    import torch

# log(1 - sum p) is computed from this floor up: a teacher whose top-K hold all the mass
# leaves a tail of about 1e-7 in fp32, not a -inf that would poison the gradient.
_TAIL_FLOOR = 1e-7


@dataclass(frozen=True, slots=True)
class SoftTargets:
    """Per target token, in target order: the teacher's top-K token ids (student vocabulary) and
    their natural-log probabilities. May be shorter than the target: later tokens get no KL."""

    ids: tuple[tuple[int, ...], ...]
    logprobs: tuple[tuple[float, ...], ...]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Distill:
    """How a method distils soft targets: loss = CE + kl_weight * T^2 * KL (completion tokens);
    `top_k` is how many tokens a self-context teacher keeps per position."""

    kl_weight: float = 1.0
    temperature: float = 1.0
    top_k: int = 32


def pack(soft: Sequence[SoftTargets | None], lengths: Sequence[int]) -> dict[str, torch.Tensor]:
    """The soft targets of a batch as two (N, K) tensors aligned with its N completion tokens.

    `lengths[i]` is record i's completion tokens (EOS included); rows come in the order the loss
    selects completion positions (record by record, left to right). A position without a
    teacher entry has id -1 and log-probability -inf: it adds nothing to the KL.
    """
    import torch

    width = max((len(row) for s in soft if s for row in s.ids), default=1)
    total = sum(lengths)
    ids = torch.full((total, width), -1, dtype=torch.long)
    logprobs = torch.full((total, width), float("-inf"), dtype=torch.float32)
    start = 0
    for targets, length in zip(soft, lengths, strict=True):
        for j in range(min(len(targets or ()), length)):
            row_ids, row_lp = targets.ids[j], targets.logprobs[j]
            ids[start + j, : len(row_ids)] = torch.tensor(row_ids, dtype=torch.long)
            logprobs[start + j, : len(row_lp)] = torch.tensor(row_lp, dtype=torch.float32)
        start += length
    return {"soft_ids": ids, "soft_logprobs": logprobs}


def _with_tail(logprobs: torch.Tensor) -> torch.Tensor:
    """(N, K) log-probabilities -> (N, K + 1): the K, then log of the mass they leave."""
    import torch

    covered = torch.logsumexp(logprobs, dim=-1, keepdim=True).clamp(max=0.0)
    tail = torch.log((-torch.expm1(covered)).clamp(min=_TAIL_FLOOR))
    return torch.cat([logprobs, tail], dim=-1)


def sparse_kl(
    logits: torch.Tensor,
    soft_ids: torch.Tensor,
    soft_logprobs: torch.Tensor,
    temperature: float = 1.0,
) -> torch.Tensor:
    """KL(teacher || student) per position over the teacher's top-K plus a tail bucket, times T^2.

    Args:
        logits: (N, V) student logits at the completion positions (float32).
        soft_ids: (N, K) teacher token ids, -1 where a row has fewer than K (or none).
        soft_logprobs: (N, K) teacher log-probabilities, -inf where the id is -1.
        temperature: T, applied to both sides' bucket log-probabilities.

    Returns:
        (N,) the KL of each position; 0 where the teacher gave nothing.
    """
    import torch

    valid = soft_ids >= 0
    student = torch.log_softmax(logits, dim=-1).gather(-1, soft_ids.clamp(min=0))
    student = student.masked_fill(~valid, float("-inf"))
    s = torch.log_softmax(_with_tail(student) / temperature, dim=-1)
    t = torch.log_softmax(_with_tail(soft_logprobs) / temperature, dim=-1)
    p = t.exp()
    # -inf - -inf is nan: buckets the teacher leaves empty contribute 0 by definition.
    terms = torch.where(p > 0, p * (t - s), torch.zeros_like(p))
    has_teacher = valid.any(dim=-1)
    return terms.sum(dim=-1) * has_teacher * temperature**2

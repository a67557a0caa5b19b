"""Soft targets: the teacher's top-K token distribution per target token (PROVISIONAL: the lead's
version on main replaces this file)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SoftTargets:
    """Per target token: the teacher's top-K token ids in the student vocabulary and their
    log-probabilities (natural log); may be shorter than the target."""

    ids: tuple[tuple[int, ...], ...]
    logprobs: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Distill:
    """A method's distillation term: CE + kl_weight * T^2 * KL(teacher || student)."""

    kl_weight: float = 1.0
    temperature: float = 1.0
    top_k: int = 32

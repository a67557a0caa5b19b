"""`Decoding`: the settings of the shared generation loop (`skintern.models.generate`).

Not to be confused with a teacher request's `skintern.teacher.backends.base.Sampling`, which is
part of its cache key; the local teacher backends turn one into a `Decoding`. Torch-free, so that
configs and the CLI start instantly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decoding:
    """How to decode: greedy unless `do_sample` (the paper's students decode greedily)."""

    max_new_tokens: int = 256
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 50
    stop: tuple[str, ...] = ()  # extra stop strings; the stop is cut from the output
    stop_at_answer: bool = True  # stop after "Therefore, the answer is X."
    batch_size: int = 8
    seed: int = 0
    logprobs: int = 0  # K: keep the top-K log-probabilities of every generated token; 0 = none


@dataclass(frozen=True)
class TokenScore:
    """One generated token with its log-probability and the model's top-K at that step, most
    likely first (natural log, the model's own distribution: before temperature or top-p)."""

    id: int
    logprob: float
    top: tuple[tuple[int, float], ...]

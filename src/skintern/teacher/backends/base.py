"""The one interface every teacher backend implements: a batch of requests in, results out.

A backend calls `on_result` once per request, with a `Completion` (text and token usage) or a
`Failure` (the reason, after the backend's own retries), as soon as that request is done, so the
stage can commit it to the cache at once. A problem that makes every further request pointless
(wrong API key, missing optional dependency) raises a `TeacherError` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from skintern.models.decoding import Decoding
from skintern.records import TokenLogprob
from skintern.registry import Registry

if TYPE_CHECKING:
    from skintern.models.generate import Generation
    from skintern.teacher.config import TeacherConfig


@dataclass(frozen=True, slots=True)
class Sampling:
    """Sampling parameters sent with a request (all part of its cache key)."""

    temperature: float
    top_p: float
    max_tokens: int
    seed: int
    stop: tuple[str, ...] = ()
    logprobs: int = 0  # K: top-K log-probabilities of each generated token; 0 = none

    def to_dict(self) -> dict[str, Any]:
        """As they enter the cache key; `logprobs` only when asked for, so that a text-only
        request keeps the key it had before logprobs existed (its cached answer stays valid)."""
        out: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "stop": list(self.stop),
        }
        if self.logprobs:
            out["logprobs"] = self.logprobs
        return out


@dataclass(frozen=True, slots=True)
class Request:
    """One prompt to the teacher.

    Attributes:
        key: the cache key (hash of backend, model, prompt, sampling, sample index).
        kind: `rationale` or `knowledge`.
        prompt: the user message (chat) or the whole prompt (completions).
        sampling: temperature, top-p, max tokens, seed, stop strings.
        meta: what the stage needs to use the answer (example id, task, sample index, question).
    """

    key: str
    kind: str
    prompt: str
    sampling: Sampling
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Completion:
    key: str
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = ""
    attempts: int = 1
    logprobs: tuple[TokenLogprob, ...] | None = None  # when the request asked for them


@dataclass(frozen=True, slots=True)
class Failure:
    """A request that still failed after its retries; the run goes on without it."""

    key: str
    reason: str  # short and countable: timeout, connection, http-500, malformed, ...
    detail: str = ""
    attempts: int = 1


Result = Completion | Failure
OnResult = Callable[[Result], None]


class Backend(Protocol):
    """What the stage needs from a backend (see the module docstring)."""

    name: ClassVar[str]

    def __init__(self, cfg: TeacherConfig, data_root: Path | None) -> None: ...

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        """Backend and model as they enter cache keys (no URL, no key)."""
        ...

    def check(self) -> None:
        """Fail early and clearly (unreachable server, wrong key, missing extra)."""
        ...

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        """Answer every request, calling `on_result` once for each."""
        ...

    def close(self) -> None: ...


backends: Registry[type[Backend]] = Registry("teacher backend")


def local_groups(
    requests: Sequence[Request], batch_size: int
) -> Iterator[tuple[list[Request], Decoding, list[int]]]:
    """`(requests, decoding, seeds)` per group an in-process backend decodes together.

    A group holds the requests whose sampling parameters differ at most in the seed, in
    first-seen order; each row is seeded with its own request's seed.
    """
    found: dict[Sampling, list[Request]] = {}
    for request in requests:
        found.setdefault(replace(request.sampling, seed=0), []).append(request)
    for group in found.values():
        seeds = [r.sampling.seed for r in group]
        yield group, decoding_of(group[0].sampling, batch_size), seeds


def decoding_of(sampling: Sampling, batch_size: int) -> Decoding:
    """The in-process backends' decoding settings for a request's sampling parameters.

    Temperature 0 is greedy; otherwise temperature and top-p apply and nothing else (no top-k),
    as an OpenAI-compatible server reads them. The request's seed is passed per row instead.
    """
    sample = sampling.temperature > 0
    return Decoding(
        max_new_tokens=sampling.max_tokens,
        do_sample=sample,
        temperature=sampling.temperature if sample else 1.0,
        top_p=sampling.top_p if sample else 1.0,
        top_k=0,
        stop=sampling.stop,
        stop_at_answer=False,
        batch_size=batch_size,
        seed=sampling.seed,
        logprobs=sampling.logprobs,
    )


def completion_of(
    request: Request, generation: Generation, texts: dict[int, str] | None = None
) -> Completion:
    """A request's `Completion` from an in-process `Generation` (finish: stop or length); its
    scored tokens, when there are any, as text through `texts` (token id -> text)."""
    from skintern.models.vocab import token_logprobs

    finish = "length" if generation.finish == "length" else "stop"
    scored = generation.scores is not None and texts is not None
    return Completion(
        request.key,
        generation.text,
        generation.prompt_tokens,
        generation.generated_tokens,
        finish,
        logprobs=token_logprobs(texts, generation.scores) if scored else None,
    )

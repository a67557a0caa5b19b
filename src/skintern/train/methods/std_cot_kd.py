"""Std-CoT with the teacher's token distributions (Hinton et al., 2015, on CoT targets; issue #14
"distil distributions, not only text").

Std-CoT's records (question -> teacher rationale ending "Therefore, the answer is X."), with the
target's student ids taken from the teacher's own tokens (`RUN/teacher/logprobs.jsonl`, mapped
onto the student's vocabulary, checked once in `skintern.train.context`) and their top-K
log-probabilities as soft targets: loss CE + kl_weight * T^2 * KL(teacher top-K + tail || student)
on completion tokens. What the teacher did not write itself (the final sentence the normalisation
puts in) is tokenized by the student and has no soft target. Same inference prompt and cost as
Std-CoT; the teacher run costs K logprobs per generated token (`teacher.rationales.logprobs`), or
one teacher-forced forward pass per kept rationale when a local model scores them
(`teacher.rationales.score_with`, for backends that return no logprobs: replay, gold).
"""

from __future__ import annotations

from collections.abc import Sequence

from skintern.data.example import Example
from skintern.models.vocab import VocabMap
from skintern.records import TokenLogprob
from skintern.train.methods.base import (
    BaseMethod,
    Input,
    MethodContext,
    SoftSettings,
    TrainRecord,
    cot_prompt,
    cot_target,
    register,
    settings_of,
)
from skintern.train.soft import Distill, SoftTargets


class StdCotKdSettings(SoftSettings):
    """std-cot-kd: the KL term's weight and temperature, and what a tokenizer mismatch does."""


def soft_targets(
    tokens: Sequence[TokenLogprob], target: str, vocab: VocabMap
) -> tuple[tuple[int, ...], SoftTargets] | None:
    """(the target's student ids, the soft targets of their leading teacher tokens), or None
    when the teacher's tokens do not start `target` (then the record is text only).

    A teacher token ends the soft run where it has no student token; its alternatives without
    one are dropped (their mass falls into the loss's tail bucket)."""
    ids: list[int] = []
    top_ids: list[tuple[int, ...]] = []
    top_lps: list[tuple[float, ...]] = []
    length = 0
    for token in tokens:
        chosen = vocab.id_of(token.token)
        pairs: dict[int, float] = {}
        for text, logprob in token.top:
            alt = vocab.id_of(text)
            if alt is not None:
                pairs.setdefault(alt, logprob)
        if chosen is None or not pairs or not target.startswith(token.token, length):
            break
        ids.append(chosen)
        top_ids.append(tuple(pairs))
        top_lps.append(tuple(pairs.values()))
        length += len(token.token)
    if not ids:
        return None
    rest = vocab.encode(target[length:]) if target[length:] else []
    return (*ids, *rest), SoftTargets(tuple(top_ids), tuple(top_lps))


@register("std-cot-kd", config=StdCotKdSettings)
class StdCotKd(BaseMethod):
    """One record per kept rationale, with the teacher's tokens and their top-K where it has
    them; examples without a rationale are skipped."""

    inputs = frozenset({Input.RATIONALES, Input.TEACHER_TOKENS})

    def distillation(self, ctx: MethodContext) -> Distill | None:
        if ctx.vocab is None:  # text-only fallback, or a context built for inference
            return None
        settings = settings_of(self, ctx)
        return Distill(kl_weight=settings.kl_weight, temperature=settings.temperature)

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        prompt = cot_prompt(example)
        records = []
        for rationale in ctx.rationales.get(example.id, []):
            target = cot_target(rationale.text, example)
            tokens = ctx.teacher_tokens.get(example.id, {}).get(rationale.sample)
            found = soft_targets(tokens.tokens, target, ctx.vocab) if tokens and ctx.vocab else None
            target_ids, soft = found if found else (None, None)
            records.append(
                TrainRecord(
                    example.id, prompt, target, "rationale", target_ids=target_ids, soft=soft
                )
            )
        return records

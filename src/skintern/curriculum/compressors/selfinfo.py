"""`selfinfo`: the built-in token-importance compressor (stands in for LLMLingua-2, paper eq. 1).

Each token's self-information -log p(token | text before it) under a small causal LM (the student
itself, or SmolLM2-135M) is averaged over the tokens of each whole word; the most informative words
are kept in their original order until round(rate * n) student tokens are kept (Selective Context,
Li et al. 2023, at word level, with LLMLingua-2's exact-budget word selection). Digits, operators
and named entities rank first and are never cut inside a word, so they stay readable. Needs no
download beyond the student.
"""

from __future__ import annotations

import hashlib
from typing import Any

from skintern.curriculum.compressors.base import (
    CompressorContext,
    check_rate,
    compressors,
    trivial,
)
from skintern.curriculum.compressors.words import (
    is_protected,
    select,
    split_words,
    token_word_index,
)
from skintern.errors import ConfigError

_WINDOW = 512  # tokens scored per forward pass; long texts are scored window by window


def token_surprisal(model: Any, tokenizer: Any, text: str) -> list[float]:
    """-log p(token_j | tokens before j) for each token of `text` (no special tokens), in nats."""
    import torch

    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    bos = getattr(tokenizer, "bos_token_id", None)
    scores: list[float] = []
    for start in range(0, len(ids), _WINDOW):
        window = ids[start : start + _WINDOW]
        prefix = [bos] if bos is not None else []
        inputs = torch.tensor([prefix + window], device=model.device)
        with torch.no_grad():
            logits = model(input_ids=inputs).logits[0].float()
        logprobs = torch.log_softmax(logits[:-1], dim=-1)
        targets = inputs[0, 1:]
        picked = -logprobs.gather(1, targets[:, None])[:, 0]
        values = picked.tolist()
        if not prefix:  # the window's first token has no context: give it the window's mean
            values = [sum(values) / len(values) if values else 0.0, *values]
        scores += values
    return scores


def word_scores(model: Any, tokenizer: Any, text: str) -> list[float]:
    """Mean self-information of each word's tokens (words as `split_words` cuts them)."""
    words = split_words(text)
    owners = token_word_index(tokenizer, text, words)
    totals = [0.0] * len(words)
    counts = [0] * len(words)
    for owner, value in zip(owners, token_surprisal(model, tokenizer, text), strict=True):
        totals[owner] += value
        counts[owner] += 1
    return [t / c if c else 0.0 for t, c in zip(totals, counts, strict=True)]


class SelfInfoCompressor:
    """Keeps the words with the highest self-information; protected words first."""

    name = "selfinfo"
    version = "1"

    def __init__(self, ctx: CompressorContext):
        if ctx.scorer is None:
            raise ConfigError("the selfinfo compressor needs a scoring model (the student)")
        self._tokenizer = ctx.tokenizer
        self._load = ctx.scorer
        self._lm: Any = None
        self._scores: dict[str, list[float]] = {}  # one LM pass per text, shared by all rates

    def order(self, text: str) -> list[int]:
        """Word indices, most important first."""
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in self._scores:
            if self._lm is None:
                self._lm = self._load()
            self._scores[key] = word_scores(self._lm.model, self._lm.tokenizer, text)
        scores = self._scores[key]
        words = split_words(text)
        return sorted(range(len(words)), key=lambda i: (not is_protected(words, i), -scores[i]))

    def compress(self, text: str, rate: float) -> str:
        rate = check_rate(rate)
        if (done := trivial(text, rate)) is not None:
            return done
        return select(self._tokenizer, text, self.order(text), rate)


compressors.register("selfinfo")(SelfInfoCompressor)

"""`random` and `truncate`: the ablation compressors (what token importance is compared against).

`random` keeps a random set of whole words, seeded by (seed, text), so a rerun keeps the same words;
`truncate` keeps the first round(rate * n) tokens. Both hit the same exact budget as `selfinfo`.
"""

from __future__ import annotations

import hashlib
import random

from skintern.curriculum.compressors.base import (
    CompressorContext,
    budget,
    check_rate,
    compressors,
    trivial,
)
from skintern.curriculum.compressors.words import select, split_words


class RandomCompressor:
    """Keeps random whole words in their original order."""

    name = "random"
    version = "1"

    def __init__(self, ctx: CompressorContext):
        self._tokenizer = ctx.tokenizer
        self._seed = ctx.seed

    def compress(self, text: str, rate: float) -> str:
        rate = check_rate(rate)
        if (done := trivial(text, rate)) is not None:
            return done
        digest = hashlib.sha256(f"{self._seed}\0{text}".encode()).digest()
        order = list(range(len(split_words(text))))
        random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
        return select(self._tokenizer, text, order, rate)


class TruncateCompressor:
    """Keeps the first tokens (a prefix of the text)."""

    name = "truncate"
    version = "1"

    def __init__(self, ctx: CompressorContext):
        self._tokenizer = ctx.tokenizer

    def compress(self, text: str, rate: float) -> str:
        rate = check_rate(rate)
        if (done := trivial(text, rate)) is not None:
            return done
        ids = self._tokenizer(text, add_special_tokens=False)["input_ids"]
        return self._tokenizer.decode(ids[: budget(len(ids), rate)]).strip()


compressors.register("random")(RandomCompressor)
compressors.register("truncate")(TruncateCompressor)

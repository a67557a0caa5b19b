"""The compressor interface (paper equation 1, k_i^t = compress(k_i, S_t)) and its registry.

Every compressor keeps about `rate` of a text's tokens, counted with the student's tokenizer:
rate 1 returns the text unchanged, rate 0 the empty string, and anything in between keeps
round(rate * n) of the n tokens, measured on the output text, within a token or two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from skintern.errors import ConfigError
from skintern.registry import Registry


class Compressor(Protocol):
    """`compress(text, rate) -> text`; `name` and `version` go into cache keys and manifests."""

    name: str
    version: str

    def compress(self, text: str, rate: float) -> str: ...


@dataclass
class CompressorContext:
    """What a compressor factory may use.

    Attributes:
        tokenizer: the student's tokenizer (a fast Hugging Face tokenizer); it defines "a token"
            for rates and length limits.
        seed: seeds the `random` ablation.
        scorer: loads the causal LM that scores self-information (`selfinfo`), on first use.
        llmlingua2_model: a local LLMLingua-2 model folder (or hub id when online).
    """

    tokenizer: Any
    seed: int = 0
    scorer: Callable[[], Any] | None = None
    llmlingua2_model: str | None = None


Factory = Callable[[CompressorContext], Compressor]
compressors: Registry[Factory] = Registry("compressor")


def check_rate(rate: float) -> float:
    """`rate` as a float in [0, 1], or a `ConfigError`."""
    if not isinstance(rate, int | float) or not 0.0 <= float(rate) <= 1.0:
        raise ConfigError(f"compression rate must be in [0, 1], got {rate!r}")
    return float(rate)


def trivial(text: str, rate: float) -> str | None:
    """What every compressor returns without work: rate 1 or blank text unchanged, rate 0 empty;
    None when there is real compressing to do."""
    if rate == 1.0 or not text.strip():
        return text
    return "" if rate == 0.0 else None


def budget(total: int, rate: float) -> int:
    """The number of tokens to keep: round(rate * total)."""
    return int(round(rate * total))


def count_tokens(tokenizer: Any, text: str) -> int:
    """Tokens of `text` under `tokenizer`, without special tokens."""
    if not text:
        return 0
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])

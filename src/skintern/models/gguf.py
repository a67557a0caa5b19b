"""Convert a GGUF checkpoint once into a plain safetensors folder that loads in about a second.

transformers can load GGUF directly (`from_pretrained(dir, gguf_file=...)`), but it parses the
metadata and dequantizes every tensor on each load (16 s for SmolLM2-135M here), and the config it
returns carries a `quantization_config` that would follow the model into every save. So the model
is built from the GGUF's config without that entry, the dequantized tensors (float32) are loaded
into it, shared embeddings are re-tied, and model, tokenizer (with its chat template) and
generation config are saved with `save_pretrained`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from skintern.errors import ModelError


def _config(gguf: Path) -> Any:
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(f"cannot read the GGUF metadata: {err}", where=str(gguf)) from None
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    return config


def _load_weights(model: torch.nn.Module, gguf: Path) -> None:
    """Dequantize the GGUF tensors into `model`; every parameter must be found or tied."""
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    parsed = load_gguf_checkpoint(
        str(gguf), return_tensors=True, model_to_load=model, torch_dtype=torch.float32
    )
    result = model.load_state_dict(parsed["tensors"], strict=False)
    tied: set[str] = set()
    if getattr(model.config, "tie_word_embeddings", False):
        prefix = _output_prefix(model)
        output = model.get_output_embeddings()
        tied = {f"{prefix}.{name}" for name, _ in output.named_parameters()}
    missing = [key for key in result.missing_keys if key not in tied]
    if missing or result.unexpected_keys:
        raise ModelError(
            f"GGUF tensors do not match the {type(model).__name__} built from its config: "
            f"missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}",
            where=str(gguf),
        )
    model.tie_weights()


def _output_prefix(model: torch.nn.Module) -> str:
    output = model.get_output_embeddings()
    for name, module in model.named_modules():
        if module is output:
            return name
    return "lm_head"


def convert_gguf(gguf: Path, out_dir: Path) -> dict[str, Any]:
    """Write `gguf` as a float32 safetensors model folder into `out_dir`.

    Args:
        gguf: path of the GGUF file.
        out_dir: an existing (empty) folder.

    Returns:
        Facts for the cache marker: architecture, parameter count, whether a chat template came
        with the tokenizer.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    config = _config(gguf)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    _load_weights(model, gguf)
    model.generation_config = GenerationConfig.from_model_config(config)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The GGUF tokenizer has no length limit; the model's context length is the honest one.
    tokenizer.model_max_length = getattr(config, "max_position_embeddings", None) or (1 << 30)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return {
        "source": str(gguf.name),
        "architecture": type(model).__name__,
        "n_params": sum(p.numel() for p in model.parameters()),
        "chat_template": tokenizer.chat_template is not None,
    }

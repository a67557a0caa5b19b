"""`tiny-random`: a seeded, randomly initialised 2-layer Llama with the SmolLM2 tokenizer.

For fast tests of everything that needs a real model (training, generation, FLOPs): it has the
real tokenizer and chat template, so prompts render exactly as for `smollm2-135m`, while a
forward pass costs next to nothing. The same seed gives the same weights on every build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

TINY_SHAPE: dict[str, int] = {
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 2048,
}


def build_tiny_random(out_dir: Path, tokenizer_dir: Path, *, seed: int = 0) -> dict[str, Any]:
    """Write a seeded random Llama and the tokenizer found in `tokenizer_dir` into `out_dir`.

    Args:
        out_dir: an existing (empty) folder.
        tokenizer_dir: a model folder whose tokenizer to copy (the converted SmolLM2).
        seed: initialisation seed; the caller's global RNG state is left untouched.

    Returns:
        Facts for the cache marker.
    """
    from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **TINY_SHAPE,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config).to(torch.float32)
    model.generation_config = GenerationConfig.from_model_config(config)
    tokenizer.model_max_length = config.max_position_embeddings
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return {
        "source": f"random init, seed {seed}, tokenizer of {tokenizer_dir.name}",
        "architecture": type(model).__name__,
        "n_params": sum(p.numel() for p in model.parameters()),
        "chat_template": tokenizer.chat_template is not None,
    }

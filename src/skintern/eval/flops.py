"""Inference FLOPs from a model's config (paper Table 1 "Rel. FLOPs"; issue: prefill + full cost).

A decoder forward pass over one token costs 2 FLOPs per weight of every matmul it meets (the
non-embedding linear layers and the LM head; the embedding lookup is free), plus attention:
QK^T and AV each cost 2 * n_heads * head_dim FLOPs per (query, key) pair and layer.

Conventions, chosen to match `torch.utils.flop_counter` with eager attention (tested):
- prefill of n prompt tokens scores all n * n pairs (what an unmasked kernel computes);
- each generated token at context length c scores c pairs (the KV cache holds the rest).
The paper measured prefill only (thop over the input prompts); we report that and the full cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FlopsModel:
    """The few numbers of a decoder config that decide its FLOPs."""

    matmul_params: int  # weights of every linear layer a token passes, LM head included
    attention_width: int  # n_layers * n_heads * head_dim

    @classmethod
    def from_config(cls, config: Any) -> FlopsModel:
        """Read a Llama/Qwen/Gemma-style `PretrainedConfig` (hidden, heads, kv heads, MLP)."""
        hidden = config.hidden_size
        layers = config.num_hidden_layers
        heads = config.num_attention_heads
        kv_heads = getattr(config, "num_key_value_heads", None) or heads
        head_dim = getattr(config, "head_dim", None) or hidden // heads
        attn = hidden * head_dim * (2 * heads + 2 * kv_heads)  # q, o and k, v projections
        mlp = 3 * hidden * config.intermediate_size  # gated MLP: gate, up, down
        lm_head = hidden * config.vocab_size
        return cls(layers * (attn + mlp) + lm_head, layers * heads * head_dim)

    def prefill(self, n_prompt: int) -> int:
        """FLOPs of one forward pass over an `n_prompt`-token prompt."""
        return 2 * self.matmul_params * n_prompt + 4 * self.attention_width * n_prompt**2

    def decode(self, n_prompt: int, n_generated: int) -> int:
        """FLOPs of generating `n_generated` tokens after the prompt, with a KV cache."""
        # token i (0-based) attends to n_prompt + i + 1 positions
        pairs = n_generated * n_prompt + n_generated * (n_generated + 1) // 2
        return 2 * self.matmul_params * n_generated + 4 * self.attention_width * pairs

    def total(self, n_prompt: int, n_generated: int) -> int:
        """Prompt prefill plus generation: the full inference cost of one example."""
        return self.prefill(n_prompt) + self.decode(n_prompt, n_generated)

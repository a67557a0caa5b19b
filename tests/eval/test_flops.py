import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import LlamaConfig, LlamaForCausalLM

from skintern.eval.flops import FlopsModel


def tiny(**overrides):
    fields = dict(
        vocab_size=500,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        attn_implementation="eager",
    )
    fields.update(overrides)
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(**fields)).eval()


def counted(model, ids, **kwargs):
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = model(ids, **kwargs)
    return counter.get_total_flops(), out


@pytest.mark.parametrize("n_prompt", [1, 7, 33])
@pytest.mark.parametrize("overrides", [{}, {"num_key_value_heads": 4, "head_dim": 8}])
def test_prefill_matches_flop_counter(n_prompt, overrides):
    model = tiny(**overrides)
    flops, _ = counted(model, torch.randint(0, 500, (1, n_prompt)))
    assert FlopsModel.from_config(model.config).prefill(n_prompt) == flops


def test_decode_matches_flop_counter_with_kv_cache():
    model = tiny()
    ids = torch.randint(0, 500, (1, 10))
    _, out = counted(model, ids, use_cache=True)
    cache, total = out.cache, 0
    for step in range(5):
        token = torch.tensor([[step + 1]])
        flops, out = counted(model, token, cache=cache, use_cache=True)
        cache, total = out.cache, total + flops
    assert FlopsModel.from_config(model.config).decode(10, 5) == total


def test_total_grows_with_prompt_quadratically_in_attention():
    costs = FlopsModel(matmul_params=1000, attention_width=10)
    assert costs.total(4, 0) == costs.prefill(4)
    assert costs.prefill(8) - 2 * costs.prefill(4) == 4 * 10 * (64 - 32)

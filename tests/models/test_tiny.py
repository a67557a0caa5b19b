"""tiny-random: exact size, same weights on every build, a different seed differs, generates."""

import torch
from safetensors.torch import load_file

from skintern.models import count_params, load_model, resolve
from skintern.models.tiny import TINY_SHAPE, build_tiny_random

VOCAB = 49152  # the SmolLM2 tokenizer


def test_tiny_random_has_the_documented_shape_and_sizes(tiny_random):
    cfg = tiny_random.model.config
    assert {k: getattr(cfg, k) for k in TINY_SHAPE} == TINY_SHAPE
    assert cfg.vocab_size == len(tiny_random.tokenizer) == VOCAB
    d, ff, kv = 64, 128, 2 * 16  # kv: 2 kv heads x head_dim 16
    per_layer = d * d * 2 + d * kv * 2 + 3 * d * ff + 2 * d  # q, o; k, v; mlp; 2 norms
    assert tiny_random.n_nonembedding_params == 2 * per_layer + d  # + final norm
    assert tiny_random.n_params == tiny_random.n_nonembedding_params + VOCAB * d  # tied once
    assert tiny_random.dtype == "float32"
    assert tiny_random.has_chat_template
    assert tiny_random.path == resolve("tiny-random")


def test_two_builds_give_identical_weights_and_another_seed_does_not(tmp_path):
    tokenizer_dir = resolve("smollm2-135m")
    first, second, other = (tmp_path / n for n in ("a", "b", "c"))
    for folder in (first, second, other):
        folder.mkdir()
    rng_before = torch.random.get_rng_state()
    build_tiny_random(first, tokenizer_dir, seed=0)
    build_tiny_random(second, tokenizer_dir, seed=0)
    build_tiny_random(other, tokenizer_dir, seed=1)
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # caller's RNG untouched
    a, b, c = (load_file(f / "model.safetensors") for f in (first, second, other))
    assert a.keys() == b.keys() and len(a) > 10
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["model.embed_tokens.weight"], c["model.embed_tokens.weight"])
    cached = load_file(resolve("tiny-random") / "model.safetensors")
    assert all(torch.equal(a[k], cached[k]) for k in a)


def test_tiny_random_generates_greedily_and_repeatably(tiny_random):
    tok = tiny_random.tokenizer
    ids = tok.apply_chat_template(
        [{"role": "user", "content": "What is 2 + 3?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    n = ids["input_ids"].shape[1]
    with torch.inference_mode():
        out1 = tiny_random.model.generate(**ids, max_new_tokens=6, do_sample=False)
        out2 = tiny_random.model.generate(**ids, max_new_tokens=6, do_sample=False)
    assert torch.equal(out1, out2)
    assert 1 <= out1.shape[1] - n <= 6
    assert torch.equal(out1[0, :n], ids["input_ids"][0])


def test_dtype_option_casts_the_weights():
    loaded = load_model("tiny-random", dtype="bfloat16")
    assert loaded.dtype == "bfloat16"
    assert next(loaded.model.parameters()).dtype == torch.bfloat16


def test_untied_output_embedding_is_not_counted_as_non_embedding():
    from transformers import LlamaConfig, LlamaForCausalLM

    shape = {**TINY_SHAPE, "num_hidden_layers": 1}
    tied = LlamaForCausalLM(LlamaConfig(vocab_size=100, tie_word_embeddings=True, **shape))
    untied = LlamaForCausalLM(LlamaConfig(vocab_size=100, tie_word_embeddings=False, **shape))
    total_tied, non_tied = count_params(tied)
    total_untied, non_untied = count_params(untied)
    assert non_tied == non_untied
    assert total_untied - total_tied == 100 * 64
    assert total_tied - non_tied == 100 * 64

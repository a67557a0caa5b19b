"""Contract tests over every registered compressor, plus what each one promises of its own."""

import importlib.util

import pytest
from curriculum_fixtures import knowledge_rows

from skintern.curriculum.compressors import CompressorContext, build, compressors, count_tokens
from skintern.curriculum.compressors.cache import CompressionCache
from skintern.curriculum.compressors.words import is_protected, split_words
from skintern.errors import ConfigError

LONG = knowledge_rows()[0].text() + "\n" + knowledge_rows()[1].text()
SHORT = "Count the fruits: an apple, two bananas and a plum make four pieces of fruit in all."
BUILT_IN = [name for name in compressors.names() if name != "llmlingua2"]


@pytest.fixture
def ctx(tokenizer, tiny_lm):
    return CompressorContext(tokenizer, seed=0, scorer=lambda: tiny_lm)


def test_registry_lists_every_compressor():
    assert compressors.names() == ["llmlingua2", "random", "selfinfo", "truncate"]


@pytest.mark.parametrize("name", BUILT_IN)
def test_rate_one_unchanged_and_zero_empty(name, ctx):
    compressor = build(name, ctx)
    assert compressor.compress(LONG, 1.0) == LONG
    assert compressor.compress(LONG, 0.0) == ""
    assert compressor.compress("", 0.5) == ""


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("rate", [2 / 3, 1 / 3, 0.1])
def test_exact_rate_on_long_and_short_texts(name, rate, ctx, tokenizer):
    compressor = build(name, ctx)
    for text, tolerance in ((LONG, 0.01), (SHORT, 0.05)):
        total = count_tokens(tokenizer, text)
        kept = count_tokens(tokenizer, compressor.compress(text, rate))
        assert abs(kept / total - rate) <= tolerance, (name, rate, total, kept)
    assert count_tokens(tokenizer, SHORT) < 30 < 150 < count_tokens(tokenizer, LONG)


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("rate", [-0.1, 1.5, "half"])
def test_rates_outside_unit_interval_are_refused(name, rate, ctx):
    with pytest.raises(ConfigError, match=r"rate must be in \[0, 1\]"):
        build(name, ctx).compress(LONG, rate)


def test_word_compressors_keep_words_whole_in_order(ctx):
    words = LONG.split()
    for name in ("selfinfo", "random"):
        kept = build(name, ctx).compress(LONG, 0.5).split()
        assert set(kept) <= set(words)
        positions = iter(range(len(words)))
        assert all(any(words[i] == w for i in positions) for w in kept), name  # a subsequence


def test_selfinfo_keeps_digits_operators_and_names(ctx):
    text = (
        "Then Alice walks 3 steps north while the weather stays rather pleasant and calm, "
        "so x = 3 + 4 holds."
    )
    out = build("selfinfo", ctx).compress(text, 0.5).split()
    for word in ("Alice", "3", "=", "+", "4"):
        assert word in out


def test_protected_words():
    words = split_words("In Paris, NASA counts 12 moons.\n2. Then x = y and Bob")
    flags = {w.text: is_protected(words, i) for i, w in enumerate(words)}
    assert flags["Paris,"] and flags["NASA"] and flags["12"] and flags["="] and flags["Bob"]
    assert not flags["In"] and not flags["counts"] and not flags["Then"] and not flags["2."]


def test_random_is_seeded_and_truncate_keeps_a_prefix(tokenizer):
    one = build("random", CompressorContext(tokenizer, seed=1)).compress(LONG, 0.5)
    assert one == build("random", CompressorContext(tokenizer, seed=1)).compress(LONG, 0.5)
    assert one != build("random", CompressorContext(tokenizer, seed=2)).compress(LONG, 0.5)
    prefix = build("truncate", CompressorContext(tokenizer)).compress(LONG, 0.5)
    assert LONG.startswith(prefix)


def test_cache_compresses_each_text_once_per_rate(ctx, tmp_path):
    compressor = build("selfinfo", ctx)
    cache = CompressionCache(tmp_path / "c.jsonl")
    first = [cache.compress(compressor, LONG, r) for r in (1, 2 / 3, 1 / 3, 0)]
    again = [cache.compress(compressor, LONG, r) for r in (1, 2 / 3, 1 / 3, 0)]
    assert first == again and (cache.misses, cache.hits) == (4, 4)
    cache.save()
    reloaded = CompressionCache(tmp_path / "c.jsonl")
    assert reloaded.compress(compressor, LONG, 2 / 3) == first[1] and reloaded.hits == 1


def test_unknown_compressor_says_did_you_mean(ctx):
    with pytest.raises(ConfigError, match="unknown compressor 'selfinf'") as err:
        build("selfinf", ctx)
    assert err.value.hint == "did you mean 'selfinfo'?"


def test_llmlingua2_without_model_is_a_clear_error(tokenizer):
    with pytest.raises(ConfigError, match="llmlingua") as err:
        build("llmlingua2", CompressorContext(tokenizer))
    assert "selfinfo" in err.value.hint


@pytest.mark.skipif(importlib.util.find_spec("llmlingua") is None, reason="llmlingua absent")
def test_llmlingua2_missing_model_folder_is_a_model_error(tokenizer, tmp_path):
    from skintern.errors import SkinternError

    ctx = CompressorContext(tokenizer, llmlingua2_model=str(tmp_path / "absent"))
    with pytest.raises(SkinternError, match="LLMLingua-2 model"):
        build("llmlingua2", ctx)
    assert build("truncate", ctx).compress(LONG, 1.0) == LONG  # the others still work

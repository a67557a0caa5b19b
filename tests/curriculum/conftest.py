"""Fixtures: the tiny-random student (its tokenizer and LM)."""

import pytest


@pytest.fixture(scope="session")
def tokenizer():
    from skintern.models import load_tokenizer

    return load_tokenizer("tiny-random")


@pytest.fixture(scope="session")
def tiny_lm():
    from skintern.models import load_model

    return load_model("tiny-random")

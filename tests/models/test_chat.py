"""format_prompt: the chat template where there is one, BOS-aware plain text where not."""

from skintern.models.chat import format_prompt


def test_chat_template_wraps_the_prompt_as_one_user_turn(tiny_random):
    text = format_prompt(tiny_random.tokenizer, "Is 7 prime?")
    assert text.endswith("<|im_start|>user\nIs 7 prime?<|im_end|>\n<|im_start|>assistant\n")
    with_system = format_prompt(tiny_random.tokenizer, "Is 7 prime?", system="Be brief.")
    assert with_system.startswith("<|im_start|>system\nBe brief.<|im_end|>\n")


def test_without_template_the_prompt_is_kept_and_bos_added_only_if_the_tokenizer_would(
    tiny_random,
):
    tok = tiny_random.tokenizer
    template = tok.chat_template
    try:
        tok.chat_template = None
        # The SmolLM2 tokenizer adds no BOS by itself: the prompt is returned unchanged.
        assert format_prompt(tok, "Is 7 prime?") == "Is 7 prime?"
    finally:
        tok.chat_template = template

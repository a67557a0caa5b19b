"""The one place a plain prompt becomes the model's input text (training and evaluation share it).

With a chat template (SmolLM2-Instruct) the prompt is one user turn followed by the assistant's
opening, as the model was tuned to see it; without one (base models such as Gemma-3-270m) it is
the prompt itself, after the BOS token when the tokenizer would add one. Callers tokenize the
result with `add_special_tokens=False`, so special tokens are never doubled or dropped.
"""

from __future__ import annotations

from typing import Any


def has_chat_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def _bos_prefix(tokenizer: Any) -> str:
    """BOS text when tokenizing with special tokens would start with BOS, else ""."""
    bos_id = getattr(tokenizer, "bos_token_id", None)
    if bos_id is None or not tokenizer.bos_token:
        return ""
    ids = tokenizer("x", add_special_tokens=True)["input_ids"]
    return tokenizer.bos_token if ids and ids[0] == bos_id else ""


def format_prompt(tokenizer: Any, prompt: str, *, system: str | None = None) -> str:
    """The text to feed the model (tokenized with `add_special_tokens=False`) for `prompt`.

    Args:
        tokenizer: a Hugging Face tokenizer.
        prompt: the plain prompt (question, examples, knowledge).
        system: an optional system message; ignored when the model has no chat template.
    """
    if has_chat_template(tokenizer):
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return _bos_prefix(tokenizer) + prompt

"""One place that turns a plain prompt into the model's input text, for training and inference.

Chat templates apply where the model has one, exactly the same way at both times, so a student
trains on the very format it is later prompted with.
"""

from __future__ import annotations

from typing import Any


def has_chat_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def format_prompt(tokenizer: Any, prompt: str) -> str:
    """`prompt` as the user turn plus the assistant header, or unchanged for a base model."""
    if not has_chat_template(tokenizer):
        return prompt
    messages = [{"role": "user", "content": prompt}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

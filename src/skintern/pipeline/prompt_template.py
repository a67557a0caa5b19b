"""The exported tokenizer's named chat template `trained_prompt`: a bare question in, the prompt
the student was trained on out.

`skintern predict` wraps a question into the method's inference prompt, e.g. for SKIntern and
Std-CoT "{task description} Your response should conclude with ... Question: {q} Answer: Let's
think step by step.", and then applies the chat template. A hub user who applies the chat
template to the bare question asks the student something it never saw. The export therefore
keeps the base model's template as the default (the model still chats as its base does, and a
prompt that is already in the trained format is not wrapped twice: skintern's own evaluation of
an exported folder relies on that) and adds this named one beside it, the way models ship
`tool_use` and `rag` templates:

    tokenizer.apply_chat_template(messages, chat_template="trained_prompt", task="...",
                                  add_generation_prompt=True)

It rewrites every user message into the trained prompt of `task` (default: the run's only task;
with several, `task` is required and a wrong one names the known tasks), then renders the base
template. The text around the question is derived per task from the method's own
`inference_prompt`, not retyped, and `build` checks that the template reproduces skintern's
prompt exactly on each task's training questions before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from skintern.data.example import Example
from skintern.errors import ModelError, SkinternError
from skintern.models.chat import format_prompt, has_chat_template
from skintern.train.methods import Input, Method, MethodContext

NAME = "trained_prompt"
_QUESTION = "\x00question\x00"  # a stand-in no real prompt contains


@dataclass(frozen=True)
class Wrap:
    """The trained prompt of one task around its question: prefix + question + suffix."""

    prefix: str
    suffix: str
    strip: bool  # the method strips the question of surrounding whitespace


def wrap_for(method: Method, ctx: MethodContext, example: Example) -> Wrap | None:
    """How `method` wraps a question of `example`'s task; None when its prompt does more than
    wrap (retrieval, knowledge of one example, several stages, the question twice)."""
    if method.stages != 1 or Input.PASSAGES in method.inputs:
        return None
    probe = replace(example, id=f"{example.task}/trained-prompt-probe")
    try:
        padded = method.inference_prompt(replace(probe, question=f"  {_QUESTION}  "), ctx)
    except SkinternError:  # e.g. KAFT with example-level knowledge: no knowledge for a new id
        return None
    if padded.count(_QUESTION) != 1:
        return None
    strip = f"  {_QUESTION}  " not in padded
    prefix, suffix = padded.split(_QUESTION if strip else f"  {_QUESTION}  ")
    return Wrap(prefix, suffix, strip)


def _literal(text: str) -> str:
    """A Jinja string literal of `text` (JSON's escapes are Jinja's, non-ASCII kept as is)."""
    return json.dumps(text, ensure_ascii=False)


def template(wraps: dict[str, Wrap], base: str) -> str:
    """The named template: user messages rewritten by `wraps[task]`, then `base`, the model's
    own template."""
    prompts = ", ".join(
        f"{_literal(task)}: [{_literal(w.prefix)}, {_literal(w.suffix)}, {str(w.strip).lower()}]"
        for task, w in sorted(wraps.items())
    )
    default = f"{_literal(next(iter(wraps)))}" if len(wraps) == 1 else "none"
    known = _literal(", ".join(sorted(wraps)))
    head = (
        f"{{#- {NAME}: wraps each user message, a bare question, into the prompt this student "
        "was trained on (written by skintern export). Pass task=NAME. -#}"
        f"{{%- set prompts = {{{prompts}}} -%}}"
        f"{{%- set task = task if task is defined else {default} -%}}"
        "{%- if task not in prompts -%}"
        f"{{{{ raise_exception('pass task=one of: ' ~ {known}) }}}}"
        "{%- endif -%}"
        "{%- set p = prompts[task] -%}"
        "{%- set ns = namespace(messages=[]) -%}"
        "{%- for message in messages -%}"
        "{%- if message['role'] == 'user' -%}"
        "{%- set question = message['content'] | trim if p[2] else message['content'] -%}"
        "{%- set ns.messages = ns.messages + "
        "[{'role': 'user', 'content': p[0] ~ question ~ p[1]}] -%}"
        "{%- else -%}{%- set ns.messages = ns.messages + [message] -%}{%- endif -%}"
        "{%- endfor -%}"
        "{%- set messages = ns.messages -%}"
    )
    return head + base


def _check(tokenizer: Any, examples: Iterable[Example], method: Method, ctx: MethodContext):
    """The named template must give exactly the text skintern feeds the student."""
    for example in examples:
        ours = format_prompt(tokenizer, method.inference_prompt(example, ctx))
        theirs = tokenizer.apply_chat_template(
            [{"role": "user", "content": example.question}],
            chat_template=NAME,
            task=example.task,
            tokenize=False,
            add_generation_prompt=True,
        )
        if theirs != ours:
            raise ModelError(
                f"the {NAME!r} chat template does not reproduce the trained prompt of task "
                f"{example.task!r}: {theirs[:300]!r} != {ours[:300]!r}",
                hint="a bug in skintern's export: please report it with the base model's name",
            )


def build(tokenizer: Any, method: Method, ctx: MethodContext, templates: dict[str, Example]):
    """Add the named template to `tokenizer` (in place) and return the wraps by task; {} when
    the method's prompt cannot be a template (see `wrap_for`) or the model has no chat template
    (a base model: skintern feeds it the plain prompt, and a template would change that)."""
    wraps = {task: wrap_for(method, ctx, ex) for task, ex in sorted(templates.items())}
    if not wraps or any(w is None for w in wraps.values()) or not has_chat_template(tokenizer):
        return {}
    current = tokenizer.chat_template
    others = current if isinstance(current, dict) else {"default": current}
    tokenizer.chat_template = {**others, NAME: template(wraps, others["default"])}
    try:
        _check(tokenizer, templates.values(), method, ctx)
    except ModelError:
        tokenizer.chat_template = current
        raise
    return wraps

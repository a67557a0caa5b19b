"""The model card (`README.md`) of an exported student, in the Hugging Face hub's layout.

Front matter: `base_model` (the hub model the student started from), `library_name`
(transformers, or peft for an adapter), `pipeline_tag`, `tags`, `datasets` (hub ids of the
training data skintern knows them for) and `license` (the base model's). Body: what was distilled
how and from which teacher, how the student must be prompted, copy-paste transformers and vLLM
code that builds that prompt (`skintern.pipeline.card_snippets`), and the run's results table
from its eval metrics (`skintern.report`), when the run was evaluated.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from skintern.pipeline.card_snippets import Usage, serve_lines, transformers_snippet, vllm_snippet
from skintern.pipeline.prompt_template import NAME, Wrap

# The hub datasets the loaders read (`skintern.data.loaders`); other training data is not named.
HUB_DATASETS = {"gsm8k": "openai/gsm8k", "arc-e": "allenai/ai2_arc", "arc-c": "allenai/ai2_arc"}
PAPER = "SKIntern (Liao et al., COLING 2025, arXiv 2409.13183)"


@dataclass(frozen=True)
class Base:
    """The model the student was trained from."""

    name: str  # what the run's config said (alias, hub id or folder)
    hub_id: str | None
    licence: str | None
    note: str = ""  # the weights skintern trained on, when they are not the hub's own


@dataclass
class Card:
    """Everything the card says."""

    method: str
    method_doc: str
    base: Base
    adapter_only: bool
    teachers: list[str]
    datasets: list[str]
    training: list[str]  # one line each: examples, schedule, fine-tuning
    wraps: dict[str, Wrap]
    usage: Usage
    results: str | None


def readme_licence(readme: Path | None) -> str | None:
    """The `license` of a model card's YAML front matter, if it has one."""
    if readme is None or not readme.is_file():
        return None
    text = readme.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---"):
        return None
    try:
        meta = yaml.safe_load(text.split("---", 2)[1]) or {}
    except yaml.YAMLError:
        return None
    licence = meta.get("license") if isinstance(meta, dict) else None
    return str(licence) if licence else None


def base_of(name: str) -> Base:
    """Hub id and licence of the base model: an alias says them; a hub id is its own, with the
    licence of its cached model card; a local folder has its own README.md, if any."""
    from skintern.models import aliases

    if name in aliases:
        alias = aliases.get(name)
        note = f"skintern's `{name}`: {alias.description}" if alias.source is not None else ""
        return Base(name, alias.hub_id, alias.licence_id, note)
    if Path(name).exists():
        return Base(name, None, readme_licence(Path(name) / "README.md"))
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "README.md")
    return Base(name, name, readme_licence(Path(cached) if isinstance(cached, str) else None))


def method_doc(method: Any) -> str:
    """The first paragraph of the method module's docstring (it opens with the paper and idea)."""
    doc = sys.modules[type(method).__module__].__doc__ or method.name
    return " ".join(doc.strip().split("\n\n")[0].split())


def front_matter(card: Card) -> str:
    meta: dict[str, Any] = {}
    if card.base.hub_id:
        meta["base_model"] = card.base.hub_id
    meta["library_name"] = "peft" if card.adapter_only else "transformers"
    meta["pipeline_tag"] = "text-generation"
    meta["license"] = card.base.licence or "other"
    tags = ["skintern", "knowledge-distillation", "chain-of-thought", card.method]
    tags += ["lora", "peft"] if card.adapter_only else []
    meta["tags"] = list(dict.fromkeys(tags))
    hub = sorted({HUB_DATASETS[d] for d in card.datasets if d in HUB_DATASETS})
    if hub:
        meta["datasets"] = hub
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n"


def base_note(card: Card) -> str:
    """Where the trained-on base weights differ from the hub's (a GGUF-converted alias)."""
    if not card.base.note:
        return ""
    if card.adapter_only and card.base.hub_id:
        return (
            f"; trained on {card.base.note}, so on the hub's original weights the adapter "
            "answers nearly, not exactly, as in skintern"
        )
    return f"; the weights started from {card.base.note}"


def prompt_section(card: Card) -> str:
    if not card.wraps:
        return (
            "This method's inference prompt is more than a wrapped question (retrieved passages, "
            "two stages, or no chat template), so no named template could reproduce it: use "
            "`skintern predict --run-dir RUN` or build the prompt as `skintern.json` describes.\n"
        )
    task, wrap = next(iter(sorted(card.wraps.items())))
    shown = f"{wrap.prefix}{{question}}{wrap.suffix}"
    decoding = (
        'Decoding was greedy, stopping once the sentence "Therefore, the answer is X." is complete.'
        if card.usage.stop_at_answer
        else "Decoding was greedy."
    )
    tasks = ", ".join(f"`{t}`" for t in sorted(card.wraps))
    return f"""The student was trained on one user turn, not on a bare question. For task `{task}`:

```text
{shown}
```

The tokenizer carries this as a named chat template, `{NAME}`, beside the base model's own
(the default, left as it was): `tokenizer.apply_chat_template(messages,
chat_template="{NAME}", task=...)` wraps each user message into the trained prompt of `task`
({tasks}). Applying the default template to a bare question asks the student something it was
never trained on, and its answers differ. {decoding}
"""


def render(card: Card) -> str:
    """The whole README.md."""
    kind = "LoRA adapter" if card.adapter_only else "model (LoRA merged into the weights)"
    teacher = ", ".join(f"`{t}`" for t in card.teachers) or "(no teacher rationales recorded)"
    lines = "\n".join(f"- {line}" for line in card.training)
    results = card.results or "Not evaluated: run `skintern eval --run-dir RUN` and export again.\n"
    usage = card.usage
    base = card.base.hub_id or card.base.name
    return f"""{front_matter(card)}
# {card.method} student of {base}

A {kind} distilled with skintern by the `{card.method}` method of {PAPER}:
{card.method_doc}

- Base model: `{card.base.name}`{f" (hub: `{card.base.hub_id}`)" if card.base.hub_id else ""}{
        base_note(card)
    }.
- Teacher: {teacher}.
{lines}

## Prompt format

{prompt_section(card)}
## Using the student

With transformers (greedy; prints one JSON line per question):

```python
{transformers_snippet(usage)}```

With vLLM (the same token ids, greedy):

```python
{vllm_snippet(usage)}```

Served with vLLM, the named template as the chat template, so that clients send bare questions:

```bash
{serve_lines(usage)}
```

## Results

{results}
## Provenance

`skintern.json` beside this file records the run, checkpoint, method and prompt format.
"""

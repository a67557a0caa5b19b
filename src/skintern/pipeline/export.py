"""`skintern export`: a run's student as a standard Hugging Face folder, with its model card.

Reads: the trained method of a run directory (`skintern.pipeline.student`), and for the card
its data, teacher, curriculum and eval outputs (`skintern.pipeline.card_facts`).
Writes: `OUT/` with `model.safetensors` (adapter merged into the base weights) and
`config.json`, or with `--adapter-only` the PEFT adapter (`adapter_config.json`,
`adapter_model.safetensors`, for `PeftModel.from_pretrained(base, OUT)`); in both the tokenizer
with the base model's chat template and the named template `trained_prompt` that wraps a bare
question into the trained prompt (`skintern.pipeline.prompt_template`), `generation_config.json`
(greedy, the run's token cap), `README.md` (the model card: front matter, what was distilled, the
prompt format, transformers and vLLM code, the results) and `skintern.json` (method, base model,
prompt format). The folder is built under a temporary name beside OUT and renamed at the end, so
a failure leaves nothing.
CLI: `skintern export --run-dir RUN [--method skintern] --out DIR [--adapter-only]`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from skintern.errors import ConfigError
from skintern.pipeline.student import Trained, load, open_trained

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


def check_target(out: Path) -> None:
    """Refuse to write over an existing non-empty folder or a file."""
    if out.is_file() or (out.is_dir() and any(out.iterdir())):
        raise ConfigError(
            "output exists and is not an empty folder",
            where=str(out),
            hint="choose another --out, or remove it first",
        )


def publish(work: Path, out: Path) -> None:
    """Rename the finished folder `work` to `out` (absent or empty, see `check_target`)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(work, 0o777 & ~mask)  # mkdtemp makes 0700; an export is for others too
    if out.is_dir():
        out.rmdir()  # empty (checked before the work began)
    work.rename(out)


def generation_config(tokenizer: Any, max_new_tokens: int) -> Any:
    """Greedy decoding, as the student was evaluated, ending at the tokenizer's EOS."""
    from transformers import GenerationConfig

    return GenerationConfig(
        do_sample=False,
        max_new_tokens=max_new_tokens,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def provenance(trained: Trained, wraps: dict[str, Any], adapter_only: bool) -> dict[str, Any]:
    """What `skintern.json` says: where the weights come from and how to prompt them."""
    from skintern.curriculum.render import plain_prompt
    from skintern.pipeline.prompt_template import NAME

    return {
        "method": trained.method,
        "base_model": trained.train.model,
        "adapter_only": adapter_only,
        "run_dir": str(trained.run_dir),
        "checkpoint": str(trained.checkpoint),
        "finetune": trained.train.finetune,
        "prompt_format": "one user turn through the chat template; for SKIntern and Std-CoT "
        "the question alone, as in `example_prompt`",
        "example_prompt": plain_prompt("{task description}", "{question}"),
        "chat_template": NAME if wraps else None,
        "prompts": {task: asdict(wrap) for task, wrap in sorted(wraps.items())},
        "final_phrase": "Therefore, the answer is",
    }


def write_adapter(trained: Trained, work: Path, base_id: str) -> None:
    """The run's PEFT adapter files, its base named as the card's `base_model`."""
    if trained.checkpoint is None or not (trained.checkpoint / ADAPTER_FILES[0]).is_file():
        raise ConfigError(
            f"method {trained.method!r} was fully fine-tuned: it has no adapter to export",
            where="--adapter-only",
            hint="export without --adapter-only",
        )
    for name in ADAPTER_FILES:
        shutil.copy2(trained.checkpoint / name, work / name)
    config_path = work / ADAPTER_FILES[0]
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base_id  # the trainer wrote a local cache path
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def write_folder(trained: Trained, work: Path, out: Path, adapter_only: bool) -> None:
    """Everything of the export into `work` (named for `out` in the card's code)."""
    from skintern.models import load_tokenizer, resolve
    from skintern.pipeline import prompt_template
    from skintern.pipeline.card import base_of, render
    from skintern.pipeline.card_facts import card_for
    from skintern.train.context import build_context
    from skintern.train.methods import methods

    method = methods.get(trained.method)
    if adapter_only:
        base = base_of(trained.train.model)
        write_adapter(trained, work, base.hub_id or str(resolve(base.name)))
        tokenizer = load_tokenizer(trained.train.model)
    else:
        student = load(trained)
        student.model.save_pretrained(work, safe_serialization=True)
        tokenizer = student.tokenizer
    ctx = build_context(method, getattr(trained.train.methods, method.name), trained.run_dir)
    wraps = prompt_template.build(tokenizer, method, ctx, trained.templates)
    tokenizer.save_pretrained(work)
    generation_config(tokenizer, trained.eval.max_new_tokens).save_pretrained(work)
    text = json.dumps(provenance(trained, wraps, adapter_only), indent=2) + "\n"
    (work / "skintern.json").write_text(text, encoding="utf-8")
    card = card_for(trained, method, out, wraps, adapter_only)
    (work / "README.md").write_text(render(card), encoding="utf-8")


def export(
    run_dir: Path, out: Path, method: str | None = None, *, adapter_only: bool = False
) -> Path:
    """Write the folder `out` for the run's trained `method` (see the module docstring)."""
    check_target(out)
    trained = open_trained(run_dir, method)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        write_folder(trained, work, out, adapter_only)
        publish(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out

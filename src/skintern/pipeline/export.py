"""`skintern export`: a run's student as a standard Hugging Face model folder.

Reads: the trained method of a run directory (`skintern.pipeline.student`).
Writes: `OUT/` with `model.safetensors` (adapter merged into the base weights), `config.json`,
the tokenizer with its chat template, `generation_config.json` (greedy, the run's token cap) and
`skintern.json` (method, base model, the prompt format the student was trained on). The folder is
built under a temporary name beside OUT and renamed at the end, so a failure leaves nothing.
It loads with plain `AutoModelForCausalLM.from_pretrained(OUT)` and serves under vLLM.
CLI: `skintern export --run-dir RUN [--method skintern] --out DIR`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from skintern.errors import ConfigError
from skintern.pipeline.student import Trained, load, open_trained


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


def provenance(trained: Trained) -> dict[str, Any]:
    """What `skintern.json` says: where the weights come from and how to prompt them."""
    from skintern.curriculum.render import plain_prompt

    return {
        "method": trained.method,
        "base_model": trained.train.model,
        "run_dir": str(trained.run_dir),
        "checkpoint": str(trained.checkpoint),
        "finetune": trained.train.finetune,
        "prompt_format": "one user turn through the chat template; for SKIntern and Std-CoT "
        "the question alone, as in `example_prompt`",
        "example_prompt": plain_prompt("{task description}", "{question}"),
        "final_phrase": "Therefore, the answer is",
    }


def export(run_dir: Path, out: Path, method: str | None = None) -> Path:
    """Merge the run's adapter into its base model and write the folder `out`; returns it."""
    check_target(out)
    trained = open_trained(run_dir, method)
    student = load(trained)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        model = student.model
        model.generation_config = generation_config(student.tokenizer, trained.eval.max_new_tokens)
        model.save_pretrained(work, safe_serialization=True)
        student.tokenizer.save_pretrained(work)
        text = json.dumps(provenance(trained), indent=2) + "\n"
        (work / "skintern.json").write_text(text, encoding="utf-8")
        publish(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out

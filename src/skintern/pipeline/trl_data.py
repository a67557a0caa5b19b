"""`skintern curriculum export --format trl`: each schedule step's training records as TRL data.

Reads: `RUN/data/train/*.jsonl`, `RUN/teacher/*.jsonl` and `RUN/curriculum/` through the
method's own `train_records`, so the files hold exactly the (prompt, target) pairs `skintern train`
trains on (the target ending "Therefore, the answer is X.").
Writes: `OUT/step-1.jsonl ... step-T.jsonl` in TRL's conversational prompt-completion format
(TRL 1.x "Dataset formats"), one record a line:

    {"prompt": [{"role": "user", "content": PROMPT}],
     "completion": [{"role": "assistant", "content": TARGET}]}

(for a student without a chat template, TRL's standard format: `{"prompt": PROMPT, "completion":
TARGET}`), `OUT/manifest.json` (per step S_t, epochs and records; the student and the train
settings to mirror in `SFTConfig`) and `OUT/README.md`, a script that trains the steps in order
with TRL's `SFTTrainer`, the weights carried from step to step. The folder is written under a
temporary name and renamed at the end.
CLI: `skintern curriculum export --format trl --run-dir RUN --out DIR [--method skintern]`.

TRL renders the prompt with the tokenizer's chat template (generation prompt added) as skintern
does, so the prompt tokens are the same; its completion is the rest of the rendered conversation:
the target, the end-of-turn token (SmolLM2's EOS, which skintern appends) and whatever the
template writes after it (SmolLM2: one newline), which is the one token TRL trains on beyond ours.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.curriculum.schedule import epochs_per_step
from skintern.data.example import Example
from skintern.errors import ConfigError
from skintern.pipeline.export import check_target, publish
from skintern.rundir import write_json, write_jsonl
from skintern.train.config import TrainConfig
from skintern.train.methods import Method, MethodContext, TrainRecord, methods

FORMAT = "trl-prompt-completion"


def trl_row(record: TrainRecord, conversational: bool) -> dict[str, Any]:
    """One TRL prompt-completion record (conversational when the student has a chat template)."""
    if not conversational:
        return {"prompt": record.prompt, "completion": record.target}
    return {
        "prompt": [{"role": "user", "content": record.prompt}],
        "completion": [{"role": "assistant", "content": record.target}],
    }


def check_weights(method: Method, ctx: MethodContext) -> None:
    """TRL's SFTTrainer weighs every record alike: refuse a method that does not."""
    weights = method.loss_weights(ctx)
    unequal = {kind: w for kind, w in weights.items() if w != 1.0}
    if unequal:
        raise ConfigError(
            f"method {method.name!r} weighs its records {unequal}; TRL's SFTTrainer weighs every "
            "record alike, so its files would train another objective",
            where="--method",
            hint="export a method whose records all weigh 1 (skintern, std-cot, ...)",
        )


def step_epochs(ctx: MethodContext, cfg: TrainConfig, steps: int) -> list[int]:
    """Epochs of each schedule step, as `skintern train` runs them."""
    if ctx.curriculum is not None:
        plan = {s.step: s for s in ctx.curriculum.steps}
        return [int(plan[t].epochs or 0) for t in range(1, steps + 1)]
    return list(epochs_per_step(cfg.epochs, steps))


def step_records(
    method: Method, ctx: MethodContext, examples: Sequence[Example], step: int
) -> list[TrainRecord]:
    """Every training record of schedule step `step`, in the order the examples come."""
    return [r for e in examples for r in method.train_records(e, ctx, step)]


def write_steps(
    cfg: TrainConfig, run_dir: Path, work: Path, conversational: bool, data_dir: str | None
) -> list[dict[str, Any]]:
    """Write each step's file into `work`; returns the steps' manifest entries."""
    from skintern.data.stage import read_split
    from skintern.train.context import build_context

    method = methods.get(cfg.method)
    if not method.trains:
        raise ConfigError(f"method {cfg.method!r} does not train: it has no records to export")
    examples = read_split(run_dir, "train")[: cfg.max_examples]
    ctx = build_context(method, getattr(cfg.methods, method.name), run_dir, examples, data_dir)
    check_weights(method, ctx)
    T = method.num_steps(ctx)
    S = {s.step: s.S_t for s in ctx.curriculum.steps} if ctx.curriculum else {}
    entries = []
    for t, epochs in enumerate(step_epochs(ctx, cfg, T), start=1):
        rows = (trl_row(r, conversational) for r in step_records(method, ctx, examples, t))
        file = f"step-{t}.jsonl"
        count = write_jsonl(work / file, rows)
        entries.append({"step": t, "S_t": S.get(t), "epochs": epochs, "file": file,
                        "records": count})  # fmt: skip
    return entries


def export_trl(
    cfg: TrainConfig, run_dir: Path, out: Path, data_dir: str | None = None
) -> dict[str, Any]:
    """Write `out` (see the module docstring) for `cfg.method` of `run_dir`; returns the
    manifest."""
    from skintern.models import load_tokenizer
    from skintern.models.chat import has_chat_template
    from skintern.pipeline.trl_readme import readme

    check_target(out)
    conversational = has_chat_template(load_tokenizer(cfg.model))
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        steps = write_steps(cfg, run_dir, work, conversational, data_dir)
        manifest = {
            "format": FORMAT,
            "conversational": conversational,
            "method": cfg.method,
            "run_dir": str(run_dir),
            "steps": steps,
            "train": cfg.model_dump(mode="json"),
        }
        write_json(work / "manifest.json", manifest)
        (work / "README.md").write_text(readme(manifest, cfg), encoding="utf-8")
        publish(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest

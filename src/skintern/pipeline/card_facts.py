"""What an exported model card says, read from the run directory (`skintern.pipeline.card`).

Reads: `RUN/teacher/rationales.jsonl` (the teacher), `RUN/data/{train,test}` (datasets, tasks,
the example questions of the snippets), `RUN/curriculum/manifest.json` (SKIntern's schedule) and
`RUN/eval/` (the results table, through `skintern.report`).
"""

from __future__ import annotations

from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

from skintern.data.example import Example
from skintern.errors import DataError
from skintern.files import read_json
from skintern.pipeline.card import Base, Card, base_of, method_doc
from skintern.pipeline.card_snippets import Usage
from skintern.pipeline.prompt_template import Wrap
from skintern.pipeline.student import Trained
from skintern.train.methods import Input

QUESTIONS = 5  # example questions in the snippets


def example_questions(trained: Trained, n: int = QUESTIONS) -> list[tuple[str, str]]:
    """Up to `n` (task, question) pairs of the run's test split (its training split when it has
    none), taking the trained tasks in turn."""
    from skintern.data.stage import read_split

    test_dir = trained.run_dir / "data" / "test"
    pool = read_split(trained.run_dir, "test") if any(test_dir.glob("*.jsonl")) else []
    pool = [e for e in pool if e.task in trained.templates] or list(trained.templates.values())
    by_task: dict[str, list[Example]] = {}
    for example in pool:
        by_task.setdefault(example.task, []).append(example)
    turns = chain.from_iterable(zip_longest(*by_task.values()))
    return [(e.task, e.question) for e in turns if e is not None][:n]


def training_lines(trained: Trained, method: Any, train: list[Example]) -> list[str]:
    """One line each on the training data, the schedule and the fine-tuning."""
    cfg = trained.train
    tasks = sorted({e.task for e in train})
    datasets = sorted({e.dataset for e in train})
    lines = [
        f"Training data: {len(train)} questions of {', '.join(datasets)} "
        f"({len(tasks)} tasks: {', '.join(tasks)})."
    ]
    manifest = trained.run_dir / "curriculum" / "manifest.json"
    if Input.CURRICULUM in method.inputs and manifest.is_file():
        info = read_json(manifest)
        steps = info.get("steps", [])
        values = ", ".join(f"{s['S_t']:.3g}" for s in steps)
        epochs = ", ".join(str(s.get("epochs")) for s in steps)
        compressor = (info.get("compressor") or {}).get("name", "?")
        lines.append(
            f"Schedule: T = {len(steps)} steps, S_t = {values} (epochs {epochs}); knowledge "
            f"compressed to S_t of its tokens by `{compressor}`, floor(K S_t) similar solved "
            f"examples (K = {info.get('config', {}).get('k', '?')}); the last step and "
            "inference see the question alone."
        )
    else:
        lines.append(f"Schedule: {cfg.epochs} epochs.")
    if cfg.finetune == "full":
        lines.append(f"Fine-tuning: every weight, peak LR {cfg.lr}.")
    else:
        lines.append(
            f"Fine-tuning: {cfg.finetune} r = {cfg.lora.r}, alpha = {cfg.lora.alpha}, modules "
            f"{cfg.lora.target_modules}, peak LR {cfg.lr}, loss on the rationale tokens only."
        )
    return lines


def teachers(run_dir: Path) -> list[str]:
    """The distinct sources of the kept teacher rationales (`replay:code-davinci-002`, ...)."""
    from skintern.train.context import read_rationales

    rationales = read_rationales(run_dir)
    return sorted({r.source for group in rationales.values() for r in group})


def results_markdown(run_dir: Path) -> str | None:
    """The run's results tables (all its evaluated methods), or None before evaluation."""
    from skintern.report.collect import read_run
    from skintern.report.tables import dataset_order, main_table, method_rows, task_table

    try:
        run = read_run(run_dir)
    except DataError:
        return None
    rows = method_rows([run])
    datasets = dataset_order([run])
    parts = [main_table(rows, datasets, run.in_domain)]
    parts += [t for d in datasets if d in run.in_domain and (t := task_table(rows, d))]
    versions = read_json(run_dir / "eval" / "manifest.json").get("versions", {})
    libs = ", ".join(f"{k} {v}" for k, v in versions.items() if k in ("torch", "transformers"))
    note = (
        "Accuracy in % (95% bootstrap interval) on the run's held-out test questions, greedy "
        "decoding; relative FLOPs per question against the run's reference prompt. Read from "
        f"the run's `eval/METHOD/metrics.json`, written by `skintern eval` ({libs})."
    )
    return "\n\n".join([note, *parts]) + "\n"


def card_for(
    trained: Trained, method: Any, out: Path, wraps: dict[str, Wrap], adapter_only: bool
) -> Card:
    """The card of `trained` exported to `out`."""
    from skintern.data.stage import read_split
    from skintern.models import resolve

    base: Base = base_of(trained.train.model)
    sampling = trained.eval.sampling()
    usage = Usage(
        path=str(out.resolve()),
        base=(base.hub_id or str(resolve(base.name))) if adapter_only else None,
        questions=example_questions(trained),
        max_new_tokens=sampling.max_new_tokens,
        stop=sampling.stop,
        stop_at_answer=sampling.stop_at_answer,
        template=bool(wraps),
    )
    train = read_split(trained.run_dir, "train")
    return Card(
        method=trained.method,
        method_doc=method_doc(method),
        base=base,
        adapter_only=adapter_only,
        teachers=teachers(trained.run_dir),
        datasets=sorted({e.dataset for e in train}),
        training=training_lines(trained, method, train),
        wraps=wraps,
        usage=usage,
        results=results_markdown(trained.run_dir),
    )

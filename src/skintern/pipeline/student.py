"""A run's distilled student, ready to answer: what `skintern predict` and `skintern export` use.

Reads: `RUN/train/METHOD/manifest.json` (the config it was trained with), its `adapter/` (or
`model/`), `RUN/config.yaml` when there (decoding settings), `RUN/data/train/*.jsonl` (each task's
description and answer type) and whatever the method's prompt reads (teacher outputs,
curriculum). The prompt is the method's inference prompt, the question alone for SKIntern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.config import RunConfig, load_config
from skintern.data.example import Example
from skintern.errors import ConfigError, DataError
from skintern.eval.config import EvalConfig
from skintern.files import read_json
from skintern.train.config import TrainConfig

_WORD = re.compile(r"[a-z]+")


@dataclass
class Trained:
    """A trained method of a run directory, with what its prompts need."""

    run_dir: Path
    method: str
    train: TrainConfig
    eval: EvalConfig
    checkpoint: Path
    templates: dict[str, Example]  # task -> one training example (description, answer type)


def trained_methods(run_dir: Path) -> list[str]:
    """Methods of the run with a finished training (a manifest that says so)."""
    found = []
    for path in sorted((run_dir / "train").glob("*/manifest.json")):
        try:
            if read_json(path).get("trained"):
                found.append(path.parent.name)
        except DataError:
            continue
    return found


def choose_method(run_dir: Path, method: str | None) -> str:
    """`method` when it was trained here; by default skintern, else the only trained method."""
    if not run_dir.is_dir():
        raise ConfigError("run directory not found", where=str(run_dir), hint="run `skintern run`")
    trained = trained_methods(run_dir)
    if not trained:
        raise DataError(
            "no trained method in this run directory",
            where=str(run_dir / "train"),
            hint="run `skintern run CONFIG` (or `skintern train`) first",
        )
    if method is None:
        method = "skintern" if "skintern" in trained or len(trained) > 1 else trained[0]
    if method not in trained:
        raise ConfigError(
            f"method {method!r} was not trained in this run; trained: {', '.join(trained)}",
            where="--method",
        )
    return method


def open_trained(run_dir: Path, method: str | None = None) -> Trained:
    """The trained `method` of `run_dir` (see `choose_method`), its configs and templates."""
    from skintern.data.stage import read_split
    from skintern.eval.student import checkpoint_for

    method = choose_method(run_dir, method)
    train = TrainConfig.model_validate(
        read_json(run_dir / "train" / method / "manifest.json")["config"]
    )
    config_file = run_dir / "config.yaml"
    eval_cfg = load_config(RunConfig, config_file).eval if config_file.is_file() else EvalConfig()
    eval_cfg = eval_cfg.model_copy(update={"model": train.model, "merge_adapter": True})
    checkpoint = checkpoint_for(method, True, eval_cfg, run_dir)
    templates: dict[str, Example] = {}
    for example in read_split(run_dir, "train"):
        templates.setdefault(example.task, example)
    return Trained(run_dir, method, train, eval_cfg, checkpoint, templates)


def guess_task(question: str, train: list[Example]) -> str:
    """The training task whose questions share the most words with `question`."""
    words = set(_WORD.findall(question.lower()))
    scores: dict[str, float] = {}
    vocab: dict[str, set[str]] = {}
    for example in train:
        vocab.setdefault(example.task, set()).update(_WORD.findall(example.question.lower()))
    for task, known in vocab.items():
        scores[task] = len(words & known) / max(len(words), 1)
    return max(sorted(scores), key=lambda t: scores[t])


def as_examples(trained: Trained, rows: list[dict[str, Any]]) -> list[Example]:
    """Examples of `rows` (`question`, optional `task`, `options`, `answer`) in the run's format."""
    from skintern.data.stage import read_split

    train_examples: list[Example] | None = None
    examples = []
    for i, row in enumerate(rows):
        task = row.get("task")
        if task is None:
            if len(trained.templates) == 1:
                task = next(iter(trained.templates))
            else:
                train_examples = train_examples or read_split(trained.run_dir, "train")
                task = guess_task(row["question"], train_examples)
        if task not in trained.templates:
            known = ", ".join(sorted(trained.templates))
            raise ConfigError(f"task {task!r} is not one the run trained on; known: {known}")
        template = trained.templates[task]
        examples.append(
            Example(
                id=f"predict/{i}",
                dataset=template.dataset,
                task=task,
                question=str(row["question"]),
                answer=str(row.get("answer", "")),
                answer_type=template.answer_type,
                options=tuple(row.get("options") or ()),
                meta={"task_description": template.meta.get("task_description", "")},
            )
        )
    return examples


def load(trained: Trained) -> Any:
    """The student as a `LoadedModel`, adapter merged (the weights `skintern export` writes)."""
    from skintern.eval.student import load_student

    return load_student(trained.eval, trained.checkpoint, None)


def answer(trained: Trained, examples: list[Example], student: Any = None) -> list[dict[str, Any]]:
    """Prediction rows (prompt, output, extracted answer, cost) for `examples`, greedy."""
    from skintern.eval.backend import TransformersBackend
    from skintern.eval.cost import flops_model
    from skintern.eval.infer import predict
    from skintern.train.context import build_context
    from skintern.train.methods import methods

    method = methods.get(trained.method)
    ctx = build_context(method, getattr(trained.train.methods, method.name), trained.run_dir)
    student = student or load(trained)
    backend = TransformersBackend(student.model, student.tokenizer, trained.eval.sampling())
    flops = flops_model(trained.train.model)
    rows = []
    for batch in predict(backend, method, ctx, examples, trained.eval.batch_size, flops):
        rows += batch
    order = {ex.id: i for i, ex in enumerate(examples)}
    return sorted(rows, key=lambda row: order[row["id"]])

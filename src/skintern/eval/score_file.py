"""Score existing predictions files: per-task accuracy with `skintern.answers.is_correct`.

Reads JSONL files of `{"prediction", "target"}` rows (optional `task`, `index`, and the question
as `input` or `question`), or the `{"outputs": [{"input", "prediction", "target"}]}` JSON of the
BBH code-davinci-002 release. A row's task is its `task` field, else the `--task` option, else
the file's stem (`navigate.json` holds navigate). Each row becomes an `Example` of `dataset`, so
the option texts of its question can be matched as well as the letters.

CLI: `skintern eval score-file FILE... [--dataset bbh] [--task NAME]`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.answers import extractor_info, is_correct
from skintern.data.example import Example
from skintern.data.loaders import bbh
from skintern.errors import ConfigError, DataError
from skintern.eval.reference import reference_accuracy
from skintern.files import parse_jsonl, read_text, require
from skintern.registry import did_you_mean


@dataclass(frozen=True)
class PredictionRow:
    """One model output to score, with where it was read from (for error messages)."""

    task: str
    index: int
    question: str
    prediction: str
    target: str
    where: str


@dataclass(frozen=True)
class TaskScore:
    """How many of one task's predictions are correct, beside the published number if any."""

    task: str
    n: int
    correct: int
    extractor: str
    reference: float | None = None

    @property
    def accuracy(self) -> float:
        return 100.0 * self.correct / self.n

    @property
    def delta(self) -> float | None:
        return None if self.reference is None else self.accuracy - self.reference


def _bbh_example(row: PredictionRow) -> Example:
    return bbh.make_example(row.task, row.index, row.question, row.target)


# How a row becomes an Example, and which task names exist, per dataset.
_DATASETS: dict[str, tuple[Callable[[PredictionRow], Example], tuple[str, ...]]] = {
    "bbh": (_bbh_example, bbh.TASKS),
}


def _dataset(name: str) -> tuple[Callable[[PredictionRow], Example], tuple[str, ...]]:
    if name not in _DATASETS:
        known = ", ".join(sorted(_DATASETS))
        raise ConfigError(f"score-file cannot score dataset {name!r}; known: {known}")
    return _DATASETS[name]


def last_question(text: str) -> str:
    """The question of a few-shot prompt: the last "Q: ..." block, without its "A: ..." cue."""
    if "\n\nQ: " in text:
        text = text.rsplit("\n\nQ: ", 1)[1]
    text = text.removeprefix("Q: ")
    return text.rsplit("\nA:", 1)[0].strip() if "\nA:" in text else text.strip()


def _raw_rows(path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """(row, where) for each record of a JSONL file or of a `{"outputs": [...]}` JSON file."""
    text = read_text(path)
    if not text.strip():
        raise DataError("file is empty", where=str(path))
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and "outputs" in whole:
        if not isinstance(whole["outputs"], list):
            raise DataError("'outputs' must be a list of rows", where=str(path))
        for i, row in enumerate(whole["outputs"]):
            if not isinstance(row, dict):
                raise DataError("expected a JSON object", where=f"{path}: outputs[{i}]")
            yield row, f"{path}: outputs[{i}]"
        return
    for lineno, row in parse_jsonl(text, path):
        yield row, f"{path}:{lineno}"


def _check_task(task: str, known: tuple[str, ...], where: str, source: str) -> None:
    if task in known:
        return
    raise ConfigError(
        f"unknown task {task!r} (from {source}); known: {', '.join(known)}",
        where=where,
        hint=did_you_mean(task, known) or "name it with a 'task' field or --task",
    )


def read_predictions(
    path: str | Path, task: str | None = None, known: tuple[str, ...] = bbh.TASKS
) -> list[PredictionRow]:
    """Every row of one predictions file, with its task resolved and checked against `known`."""
    path = Path(path)
    rows: list[PredictionRow] = []
    positions: dict[str, int] = {}
    for raw, where in _raw_rows(path):
        name, source = _task_of(raw, task, path)
        _check_task(name, known, where, source)
        position = positions.get(name, 0)
        positions[name] = position + 1
        index = raw.get("index", position)
        if not isinstance(index, int) or isinstance(index, bool):
            raise DataError(f"field 'index' must be an integer, got {index!r}", where=where)
        rows.append(
            PredictionRow(
                task=name,
                index=index,
                question=last_question(str(raw.get("input") or raw.get("question") or "")),
                prediction=str(require(raw, "prediction", where)),
                target=str(require(raw, "target", where)),
                where=where,
            )
        )
    if not rows:
        raise DataError("file has no predictions", where=str(path))
    return rows


def _task_of(raw: dict[str, Any], task: str | None, path: Path) -> tuple[str, str]:
    if raw.get("task"):
        return str(raw["task"]), "its 'task' field"
    if task:
        return task, "--task"
    return path.stem, "the file name"


def score_rows(rows: Iterable[PredictionRow], dataset: str = "bbh") -> list[TaskScore]:
    """Accuracy per task (sorted by task name), with the published reference where known."""
    to_example, _ = _dataset(dataset)
    totals: dict[str, list[int]] = {}
    extractors: dict[str, str] = {}
    for row in rows:
        example = to_example(row)
        counts = totals.setdefault(row.task, [0, 0])
        counts[0] += 1
        counts[1] += is_correct(row.prediction, example)
        info = extractor_info(example)
        extractors[row.task] = f"{info['extractor']} v{info['version']}"
    return [
        TaskScore(task, n, correct, extractors[task], reference_accuracy(dataset, task))
        for task, (n, correct) in sorted(totals.items())
    ]


def score_files(
    paths: Iterable[str | Path], dataset: str = "bbh", task: str | None = None
) -> list[TaskScore]:
    """Read and score every file; rows of one task spread over several files are pooled."""
    _, known = _dataset(dataset)
    rows = [row for path in paths for row in read_predictions(path, task, known)]
    return score_rows(rows, dataset)


def averages(scores: list[TaskScore]) -> tuple[float, float]:
    """(macro, micro): the mean of the task accuracies, and accuracy over all predictions."""
    if not scores:
        return 0.0, 0.0
    macro = sum(score.accuracy for score in scores) / len(scores)
    micro = 100.0 * sum(score.correct for score in scores) / sum(score.n for score in scores)
    return macro, micro

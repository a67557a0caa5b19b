"""BIG-Bench Hard: 27 tasks from `ROOT/bbh/tasks/NAME.json`, with each task's description and
3-shot CoT exemplars from `ROOT/bbh/cot-prompts/NAME.txt`.

Split: per task, a seeded shuffle puts round(20 %) of the questions in `test` (1,302 of 6,511
with any seed), as the CasCoD and SKIntern papers split BBH about 80/20.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skintern.data.example import AnswerType, Example
from skintern.data.registry import datasets
from skintern.data.split import split_items
from skintern.errors import ConfigError, DataError
from skintern.files import read_json, read_text, require
from skintern.paths import data_root
from skintern.registry import did_you_mean

_TF, _YN, _VI = AnswerType.TRUE_FALSE, AnswerType.YES_NO, AnswerType.VALID_INVALID
_NUM, _TEXT, _OPT = AnswerType.NUMBER, AnswerType.FREE_TEXT, AnswerType.OPTION

# Every BBH task and how its gold answers are written; the rest are multiple choice.
ANSWER_TYPES: dict[str, AnswerType] = {
    "boolean_expressions": _TF,
    "causal_judgement": _YN,
    "dyck_languages": _TEXT,
    "formal_fallacies": _VI,
    "multistep_arithmetic_two": _NUM,
    "navigate": _YN,
    "object_counting": _NUM,
    "sports_understanding": _YN,
    "web_of_lies": _YN,
    "word_sorting": _TEXT,
}
TASKS: tuple[str, ...] = (
    "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa",
    "dyck_languages", "formal_fallacies", "geometric_shapes", "hyperbaton",
    "logical_deduction_five_objects", "logical_deduction_seven_objects",
    "logical_deduction_three_objects", "movie_recommendation", "multistep_arithmetic_two",
    "navigate", "object_counting", "penguins_in_a_table", "reasoning_about_colored_objects",
    "ruin_names", "salient_translation_error_detection", "snarks", "sports_understanding",
    "temporal_sequences", "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects",
    "web_of_lies", "word_sorting",
)  # fmt: skip

_OPTION_LINE = re.compile(r"^\(([A-Z])\)\s?(.*)$")


def answer_type(task: str) -> AnswerType:
    return ANSWER_TYPES.get(task, _OPT)


def parse_options(question: str) -> tuple[str, ...]:
    """The option texts listed after "Options:" as "(A) text" lines, in order."""
    _, found, tail = question.partition("Options:")
    if not found:
        return ()
    options = []
    for line in tail.strip().splitlines():
        match = _OPTION_LINE.match(line.strip())
        if match:
            options.append(match.group(2).strip())
    return tuple(options)


def make_example(task: str, index: int, question: str, target: str, **meta: object) -> Example:
    """One BBH question as an `Example` (shared with the replayed-teacher and scoring paths)."""
    kind = answer_type(task)
    answer = target.strip()
    if kind is _OPT:
        answer = answer.strip("()")
    return Example(
        id=f"bbh/{task}/{index}",
        dataset="bbh",
        task=task,
        question=question,
        answer=answer,
        answer_type=kind,
        options=parse_options(question) if kind is _OPT else (),
        meta={"index": index, **meta},
    )


@dataclass(frozen=True)
class CotPrompt:
    """A task's official prompt: its one-line description and 3 worked (question, answer) pairs."""

    description: str
    exemplars: tuple[tuple[str, str], ...]


def load_cot_prompt(root: Path, task: str) -> CotPrompt:
    path = root / "bbh" / "cot-prompts" / f"{task}.txt"
    text = read_text(path)
    _, sep, body = text.partition("-----\n")
    if not sep:
        raise DataError("expected a canary line, then '-----'", where=str(path))
    description, _, shots = body.strip().partition("\n\nQ: ")
    exemplars = []
    for block in ("Q: " + shots).split("\n\nQ: "):
        question, sep, answer = block.removeprefix("Q: ").partition("\nA: ")
        if sep:
            exemplars.append((question.strip(), answer.strip()))
    return CotPrompt(description=description.strip(), exemplars=tuple(exemplars))


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ConfigError(
            f"unknown BBH task {task!r}; known: {', '.join(TASKS)}",
            hint=did_you_mean(task, TASKS),
        )


def load_task(root: Path, task: str) -> list[Example]:
    """All of one task's questions in file order (split `all`)."""
    _check_task(task)
    path = root / "bbh" / "tasks" / f"{task}.json"
    rows = read_json(path)
    if not isinstance(rows, dict) or not rows.get("examples"):
        raise DataError("expected {'examples': [...]} with at least one example", where=str(path))
    cot = load_cot_prompt(root, task)
    examples = []
    for index, row in enumerate(rows["examples"]):
        where = f"{path}: examples[{index}]"
        examples.append(
            make_example(
                task,
                index,
                str(require(row, "input", where)),
                str(require(row, "target", where)),
                task_description=cot.description,
            )
        )
    return examples


@datasets.register("bbh")
def load_bbh(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    root = data_root(data_dir)
    tasks = [task] if task else list(TASKS)
    examples: list[Example] = []
    for name in tasks:
        examples += split_items(load_task(root, name), split, seed=seed, key=f"bbh/{name}")
    return examples

"""GSM8K grade-school maths, from `ROOT/gsm8k/{train,test}.jsonl` (7,473 / 1,319 questions).

Rows are `{"question", "answer"}`, the answer a human-written rationale with `<<48/2=24>>`
calculator annotations, ending `#### N`. The gold answer is `N` with thousands commas removed
(type `number`); `meta["rationale"]` keeps the rationale without the annotations and without the
`#### N` line, a gold chain of thought.

Splits are the official ones (the seed is not used); `all` is train then test.
Hub fallback (see `hub.py`): `openai/gsm8k`, config `main`.

GSM-Plus (perturbed GSM8K test questions, `{"question", "solution", "answer", ...}`) is loaded as
a user file: `{name: gsm-plus, path: GSM-Plus_test.jsonl, fields: {rationale: solution}}`
(see `files.py`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.files import parse_number, read_rows
from skintern.data.loaders.hub import HubSource, hub_rows, local_root
from skintern.data.registry import datasets
from skintern.data.split import check_split
from skintern.errors import ConfigError, DataError
from skintern.files import require

_CALCULATOR = re.compile(r"<<[^<>]*>>")


def parse_answer(text: str, where: str) -> tuple[str, str]:
    """A GSM8K answer as (final number, rationale without calculator annotations)."""
    rationale, sep, final = text.rpartition("####")
    number = parse_number(final) if sep else None
    if number is None:
        raise DataError(f"answer does not end with '#### <number>': ...{text[-60:]!r}", where=where)
    return number, _CALCULATOR.sub("", rationale).strip()


def make_example(split: str, index: int, row: dict[str, Any], where: str) -> Example:
    """One GSM8K row as an `Example` with id `gsm8k/<split>/<index>`."""
    question = str(require(row, "question", where)).strip()
    answer, rationale = parse_answer(str(require(row, "answer", where)), where)
    return Example(
        id=f"gsm8k/{split}/{index}",
        dataset="gsm8k",
        task="gsm8k",
        question=question,
        answer=answer,
        answer_type=AnswerType.NUMBER,
        meta={"split": split, "index": index, "rationale": rationale},
    )


def load_split(root: Path, split: str) -> list[Example]:
    """One official split (`train` or `test`): the local file, else the hub fallback."""
    path = root / "gsm8k" / f"{split}.jsonl"
    if path.is_file():
        rows = read_rows(path)
    else:
        source = HubSource("openai/gsm8k", "main", split)
        found = hub_rows(source, missing=path)
        rows = [(f"{source.repo}: {split}[{index}]", row) for index, row in enumerate(found)]
    return [make_example(split, index, row, where) for index, (where, row) in enumerate(rows)]


@datasets.register("gsm8k")
def load_gsm8k(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    check_split(split)
    if task not in (None, "gsm8k"):
        raise ConfigError(f"gsm8k has no subtasks; got task {task!r}", hint="leave tasks unset")
    root = local_root(data_dir)
    splits = ("train", "test") if split == "all" else (split,)
    return [example for name in splits for example in load_split(root, name)]

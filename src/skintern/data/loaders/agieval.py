"""AGIEval v1, the English multiple-choice subsets, from `ROOT/agieval/NAME.jsonl`.

Rows are `{"passage", "question", "options": ["(A)..."], "label": "D", "answer", "other"}`. The
question a model sees is the passage (when there is one, in full: later stages cap prompt length
from `meta["passage_chars"]`), the question, then "Options:" and "(A) text" lines as in BBH. Several
questions may share one passage. `other.solution` (aqua-rat, sat-math) is kept as
`meta["rationale"]`, a human-written gold CoT.

Labels: a letter is the answer. AGIEval's release also writes the label as a one-letter list
(`["B"]`) in some files, and as null in the cloze subsets, whose `answer` field holds the gold;
a one-element list is unwrapped and a null label falls back to a letter in `answer`. A list of
several letters (multi-answer questions, Chinese subsets only) cannot be scored as one option and
is a `DataError`.

Subsets: `task=None` loads every known subset that has a file (with none and the hub enabled, all
eight from the hub); `task=NAME` loads that one, its missing file being a `DataError`.
Split: AGIEval is a test set only: `test` and `all` are the whole file; `train` is a `DataError`.
Hub fallback (see `hub.py`): `hails/agieval-<subset>`, rows `{"query", "choices", "gold": [i]}`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.files import LETTERS, read_rows, render_question
from skintern.data.loaders.hub import HubSource, hub_enabled, hub_rows, local_root
from skintern.data.registry import datasets
from skintern.errors import ConfigError, DataError
from skintern.files import require
from skintern.registry import did_you_mean

SUBSETS: tuple[str, ...] = (
    "aqua-rat", "logiqa-en", "lsat-ar", "lsat-lr", "lsat-rc", "sat-en", "sat-en-without-passage",
    "sat-math",
)  # fmt: skip
_LETTER_PREFIX = re.compile(r"^\s*\(([A-Z])\)\s*")


def parse_option(text: str) -> str:
    """An option's text without its "(A)" prefix."""
    return _LETTER_PREFIX.sub("", str(text), count=1).strip()


def gold_letter(row: dict[str, Any], n_options: int, where: str) -> str:
    """The gold option letter from `label` (a letter, a one-letter list) or, if null, `answer`."""
    label = row.get("label")
    if isinstance(label, list):
        if len(label) != 1:
            raise DataError(f"label {label!r} lists several answers; expected one", where=where)
        label = label[0]
    if label is None:
        label = row.get("answer")
    letter = str(label or "").strip().strip("()")
    if len(letter) != 1 or letter not in LETTERS[:n_options]:
        raise DataError(
            f"label {row.get('label')!r} is not an option letter A-{LETTERS[n_options - 1]}",
            where=where,
        )
    return letter


def make_example(subset: str, index: int, row: dict[str, Any], where: str) -> Example:
    """One AGIEval row (local schema) as an `Example`."""
    question = str(require(row, "question", where))
    raw_options = require(row, "options", where)
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        raise DataError("field 'options' must be a list of at least 2 options", where=where)
    options = tuple(parse_option(option) for option in raw_options)
    passage = str(row.get("passage") or "")
    meta: dict[str, Any] = {"index": index, "passage_chars": len(passage.strip())}
    solution = (
        (row.get("other") or {}).get("solution") if isinstance(row.get("other"), dict) else None
    )
    if solution:
        meta["rationale"] = str(solution).strip()
    return Example(
        id=f"agieval/{subset}/{index}",
        dataset="agieval",
        task=subset,
        question=render_question(question, options, passage),
        answer=gold_letter(row, len(options), where),
        answer_type=AnswerType.OPTION,
        options=options,
        meta=meta,
    )


def from_hub_row(row: dict[str, Any]) -> dict[str, Any]:
    """A `hails/agieval-*` row (`query` = passage + "Q: " + question + " Answer Choices: ...")
    in the local schema."""
    query = str(row.get("query") or "")
    head = query.rpartition(" Answer Choices: ")[0] or query
    passage, sep, question = head.partition("Q: ")
    if not sep:  # no "Q: " marker: keep the whole head as the question
        passage, question = "", head
    gold = row.get("gold") or []
    label = [LETTERS[i] for i in gold] if isinstance(gold, list) else None
    return {"passage": passage, "question": question, "options": row.get("choices"), "label": label}


def _check_subset(task: str) -> None:
    if task not in SUBSETS:
        raise ConfigError(
            f"unknown AGIEval subset {task!r}; known: {', '.join(SUBSETS)}",
            hint=did_you_mean(task, SUBSETS),
        )


def load_subset(root: Path, subset: str) -> list[Example]:
    """Every question of one subset, in file order (local file, else the hub fallback)."""
    _check_subset(subset)
    path = root / "agieval" / f"{subset}.jsonl"
    if path.is_file():
        return [
            make_example(subset, index, row, where)
            for index, (where, row) in enumerate(read_rows(path))
        ]
    source = HubSource(f"hails/agieval-{subset}", None, "test")
    rows = hub_rows(source, missing=path)
    return [
        make_example(subset, index, from_hub_row(row), f"{source.repo}: test[{index}]")
        for index, row in enumerate(rows)
    ]


def present_subsets(root: Path) -> list[str]:
    """The known subsets that have a file under `root/agieval`, in `SUBSETS` order."""
    return [name for name in SUBSETS if (root / "agieval" / f"{name}.jsonl").is_file()]


@datasets.register("agieval")
def load_agieval(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    if split == "train":
        raise DataError(
            "AGIEval has no training split (it is a test set only)",
            hint="use it under `test:` in the config, or load split 'test'/'all'",
        )
    root = local_root(data_dir)
    if task is not None:
        return load_subset(root, task)
    subsets = present_subsets(root) or (list(SUBSETS) if hub_enabled() else [])
    if not subsets:
        raise DataError(
            f"no AGIEval subset files (expected any of {', '.join(s + '.jsonl' for s in SUBSETS)})",
            where=str(root / "agieval"),
            hint="put AGIEval v1 English files there, or set SKINTERN_ALLOW_HUB=1 to read them "
            "from the Hugging Face hub",
        )
    return [example for subset in subsets for example in load_subset(root, subset)]

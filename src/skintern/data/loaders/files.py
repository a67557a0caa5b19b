"""Any user JSONL or CSV file as `Example`s, through a field mapping.

A config entry `{name: mine, path: data/mine.jsonl, fields: {question: prompt, answer: label}}`
loads `data/mine.jsonl` (relative paths are relative to the working directory) instead of a
registered dataset. Canonical fields and what they map to:

- `question` (required): the question text.
- `answer` (required): the gold answer. For multiple choice, the option letter ("B" or "(B)") or
  the option's text. A GSM8K-style rationale ending `#### N` gives `N` (the rest is kept as the
  rationale).
- `options`: a JSON list, or in CSV a JSON list string or `a | b | c`; or several columns at once,
  mapped as `"A,B,C,D"`.
- `passage`: context placed before the question. `rationale`: a gold CoT, kept in `meta`.
- `id`: used as `NAME/<id>` (must be unique); default `NAME/<row index>` (0-based).
- `task`: the subtask column; default the dataset name.

Unmapped fields are looked up under their canonical name. Other columns are kept in `meta`.
Answer type, when not given, is inferred per row: `option` when there are options, then
`number`, `yes_no`, `true_false`, `valid_invalid`, else `free_text` (so a GSM-Plus file, whose
critical-thinking rows have the answer "None", scores numbers as numbers and "None" as text).

The whole file is the split it is configured for (`seeded_split: true` splits it 80/20 by seed).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.split import split_items
from skintern.errors import DataError
from skintern.files import read_jsonl, read_text

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CANONICAL = ("question", "answer", "options", "passage", "rationale", "id", "task")
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_WORDS = {
    AnswerType.YES_NO: {"yes", "no"},
    AnswerType.TRUE_FALSE: {"true", "false"},
    AnswerType.VALID_INVALID: {"valid", "invalid"},
}


def render_question(question: str, options: tuple[str, ...] = (), passage: str = "") -> str:
    """The full text a model sees: passage, question, then "Options:" and "(A) text" lines."""
    text = f"{passage.strip()}\n\n{question.strip()}" if passage.strip() else question.strip()
    if options:
        text += "\nOptions:\n" + "\n".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(options))
    return text


def parse_number(text: str) -> str | None:
    """`text` as a canonical number string ("1,234" -> "1234"), or None if it is not one."""
    text = text.strip().removeprefix("$").rstrip(".")
    if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
        return None
    return text.replace(",", "").removeprefix("+")


def infer_answer_type(answer: str, has_options: bool) -> AnswerType:
    """The answer type a gold answer implies (see the module docstring for the order)."""
    if has_options:
        return AnswerType.OPTION
    if parse_number(answer) is not None:
        return AnswerType.NUMBER
    for kind, words in _WORDS.items():
        if answer.strip().lower() in words:
            return kind
    return AnswerType.FREE_TEXT


def option_letter(answer: str, options: tuple[str, ...], where: str) -> str:
    """The gold option letter from a letter ("B", "(B)") or from the option's own text."""
    bare = answer.strip().strip("()").strip()
    if len(bare) == 1 and bare.upper() in LETTERS[: len(options)]:
        return bare.upper()
    if answer.strip() in options:
        return LETTERS[options.index(answer.strip())]
    raise DataError(
        f"answer {answer!r} is neither an option letter A-{LETTERS[len(options) - 1]} "
        "nor one of the option texts",
        where=where,
    )


def normalise_answer(answer: str, kind: AnswerType, options: tuple[str, ...], where: str) -> str:
    """The gold answer written the way `kind`'s extractor compares it."""
    if kind is AnswerType.OPTION:
        if not options:
            raise DataError("answer type 'option' needs an options field", where=where)
        return option_letter(answer, options, where)
    if kind is AnswerType.NUMBER:
        number = parse_number(answer)
        if number is None:
            raise DataError(f"answer {answer!r} is not a number", where=where)
        return number
    if kind in _WORDS:
        if answer.strip().lower() not in _WORDS[kind]:
            raise DataError(f"answer {answer!r} is not one of {sorted(_WORDS[kind])}", where=where)
        return answer.strip().lower()
    return answer.strip()


def read_rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Rows of a `.jsonl` or `.csv` file, each with the `file:line` it came from."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        rows = read_jsonl(path)
        lines = [n for n, line in enumerate(read_text(path).splitlines(), 1) if line.strip()]
        return [(f"{path}:{n}", row) for n, row in zip(lines, rows, strict=True)]
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
        if not reader.fieldnames:
            raise DataError("CSV file is empty (no header row)", where=str(path))
        rows = [(f"{path}:{reader.line_num}", dict(row)) for row in reader]
        if not rows:
            raise DataError("CSV file has a header but no rows", where=str(path))
        return rows
    raise DataError(f"unsupported file type {suffix!r}; expected .jsonl or .csv", where=str(path))


def _field(row: dict[str, Any], fields: dict[str, str], key: str, where: str) -> Any:
    column = fields.get(key, key)
    if row.get(column) in (None, ""):
        mapped = f" (mapped from {key!r})" if column != key else ""
        raise DataError(f"missing field {column!r}{mapped}", where=where)
    return row[column]


def _options(row: dict[str, Any], fields: dict[str, str], where: str) -> tuple[str, ...]:
    column = fields.get("options", "options")
    if "," in column:  # one option per column, e.g. "A,B,C,D"
        return tuple(str(_field(row, {}, c.strip(), where)).strip() for c in column.split(","))
    value = row.get(column)
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise DataError(f"field {column!r} is not a JSON list", where=where) from None
        else:
            value = value.split("|")
    if not isinstance(value, list) or not 2 <= len(value) <= len(LETTERS):
        raise DataError(f"field {column!r} must list 2 to 26 options", where=where)
    return tuple(str(option).strip() for option in value)


def _split_rationale(answer: str) -> tuple[str, str | None]:
    """A GSM8K-style "rationale #### N" answer as (N, rationale); other answers unchanged."""
    rationale, sep, final = answer.rpartition("####")
    return (final.strip(), rationale.strip()) if sep else (answer, None)


def make_example(
    row: dict[str, Any],
    index: int,
    where: str,
    dataset: str,
    fields: dict[str, str],
    answer_type: AnswerType | None,
) -> Example:
    """One user row as an `Example` (`where` is its `file:line`)."""
    options = _options(row, fields, where)
    answer, rationale = _split_rationale(str(_field(row, fields, "answer", where)))
    kind = answer_type or infer_answer_type(answer, bool(options))
    passage = str(row.get(fields.get("passage", "passage")) or "")
    used = {fields.get(key, key) for key in CANONICAL} | set(fields.get("options", "").split(","))
    meta = {k: v for k, v in row.items() if k not in used and v not in (None, "")}
    rationale = row.get(fields.get("rationale", "rationale")) or rationale
    if rationale:
        meta["rationale"] = str(rationale)
    key = row.get(fields.get("id", "id"))
    return Example(
        id=f"{dataset}/{key if key not in (None, '') else index}",
        dataset=dataset,
        task=str(row.get(fields.get("task", "task")) or dataset),
        question=render_question(str(_field(row, fields, "question", where)), options, passage),
        answer=normalise_answer(answer, kind, options, where),
        answer_type=kind,
        options=options,
        meta={"source": where, "passage_chars": len(passage), **meta},
    )


def load_file(
    path: str | Path,
    *,
    dataset: str,
    split: str = "all",
    fields: dict[str, str] | None = None,
    answer_type: AnswerType | str | None = None,
    seed: int = 0,
    seeded_split: bool = False,
) -> list[Example]:
    """Every row of a user JSONL/CSV file as an `Example`.

    Args:
        path: a `.jsonl` or `.csv` file.
        dataset: the name the examples are filed under (ids are `dataset/<row index or id>`).
        split: `train`, `test` or `all`; the whole file unless `seeded_split`.
        fields: canonical field -> column in the file (see the module docstring).
        answer_type: one type for every row; inferred per row when None.
        seed: seed of the 80/20 split when `seeded_split`.
        seeded_split: split the file 80/20 by seed instead of using all of it for `split`.
    """
    path, fields = Path(path), dict(fields or {})
    unknown = sorted(set(fields) - set(CANONICAL))
    if unknown:
        raise DataError(f"unknown field mapping keys {unknown}; known: {', '.join(CANONICAL)}")
    kind = AnswerType(answer_type) if answer_type is not None else None
    rows = read_rows(path)
    examples = [
        make_example(row, index, where, dataset, fields, kind)
        for index, (where, row) in enumerate(rows)
    ]
    seen: dict[str, int] = {}
    for index, example in enumerate(examples):
        if example.id in seen:
            raise DataError(
                f"duplicate id {example.id!r} (also row {seen[example.id]})", where=rows[index][0]
            )
        seen[example.id] = index
    if seeded_split:
        return split_items(examples, split, seed=seed, key=f"file/{dataset}")
    return examples

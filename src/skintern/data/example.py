"""The one canonical example every stage passes forward."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from skintern.answers.types import AnswerType  # defined below data (answers); re-exported here


@dataclass(frozen=True, slots=True)
class Example:
    """One question with its gold answer.

    Attributes:
        id: stable across runs and machines, e.g. `bbh/navigate/17` (dataset/task/position).
        dataset: the registry name it was loaded under (`bbh`, `gsm8k`, ...).
        task: the subtask (`navigate`, `aqua-rat`); the dataset name when there is none.
        question: the full text a model sees: passage, question and options.
        answer: the gold answer; for multiple choice the option letter ("B").
        options: the option texts (without their letters) when multiple choice, else empty.
        answer_type: which extractor scores predictions for it.
        meta: anything else worth keeping (gold rationale, source file, split).
    """

    id: str
    dataset: str
    task: str
    question: str
    answer: str
    answer_type: AnswerType
    options: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["answer_type"] = str(self.answer_type)
        row["options"] = list(self.options)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Example:
        return cls(
            id=row["id"],
            dataset=row["dataset"],
            task=row["task"],
            question=row["question"],
            answer=row["answer"],
            answer_type=AnswerType(row["answer_type"]),
            options=tuple(row.get("options") or ()),
            meta=dict(row.get("meta") or {}),
        )

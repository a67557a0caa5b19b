"""The records stages hand forward: teacher rationales and symbolic knowledge.

`RUN/teacher/rationales.jsonl` holds one `Rationale` per kept (correct) teacher CoT;
`RUN/teacher/knowledge.jsonl` one `Knowledge` per example (granularity "example") or per task
(granularity "task"). The curriculum stage reads both. `RUN/teacher/logprobs.jsonl` (when
`teacher.rationales.logprobs` > 0) holds one `RationaleTokens` per kept rationale: the teacher's
own tokens of the rationale's text (or a scoring model's, `teacher.rationales.score_with`) with
their top-K log-probabilities, the soft targets of `std-cot-kd`; rationales.jsonl is the same
file with or without it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from skintern.errors import DataError
from skintern.files import read_jsonl_lines

FINAL_PHRASE = "Therefore, the answer is"


@dataclass(frozen=True, slots=True)
class Rationale:
    """One teacher chain of thought that reached the gold answer, ending `FINAL_PHRASE X.`"""

    id: str  # the Example id it explains
    task: str
    sample: int  # which of the l samples (0-based)
    text: str
    source: str  # e.g. "replay:code-davinci-002" or "openai:gpt-4o-mini"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Rationale:
        return cls(**{k: row[k] for k in ("id", "task", "sample", "text", "source")})


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One generated token as the API returns it: its text, its log-probability (natural log) and
    the top-K alternatives `(text, logprob)`, most likely first."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...]

    def to_list(self) -> list[Any]:
        return [self.token, self.logprob, [list(pair) for pair in self.top]]

    @classmethod
    def from_list(cls, row: list[Any]) -> TokenLogprob:
        token, logprob, top = row
        return cls(str(token), float(logprob), tuple((str(t), float(lp)) for t, lp in top))


@dataclass(frozen=True, slots=True)
class RationaleTokens:
    """The teacher's tokens of kept rationale (`id`, `sample`): the longest run of them whose
    text starts the rationale's text (whitespace-stripped); what the normalisation rewrote (the
    final sentence) has none."""

    id: str
    sample: int
    tokens: tuple[TokenLogprob, ...]

    @property
    def text(self) -> str:
        return "".join(t.token for t in self.tokens)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "sample": self.sample, "tokens": [t.to_list() for t in self.tokens]}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> RationaleTokens:
        tokens = tuple(TokenLogprob.from_list(t) for t in row["tokens"])
        return cls(str(row["id"]), int(row["sample"]), tokens)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Symbolic knowledge k = learning summary k^m + supplementary knowledge k^p (paper 3.1)."""

    key: str  # an Example id (granularity "example") or a task name (granularity "task")
    task: str
    granularity: Literal["example", "task"]
    learning_summary: str
    supplementary_knowledge: str
    source: str

    def text(self, summary: bool = True, supplementary: bool = True) -> str:
        """The knowledge as the student sees it; the flags drop k^m or k^p (ablations)."""
        parts = []
        if summary and self.learning_summary:
            parts.append(f"Learning Summary: {self.learning_summary}")
        if supplementary and self.supplementary_knowledge:
            parts.append(f"Supplementary Knowledge: {self.supplementary_knowledge}")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Knowledge:
        fields = ("key", "task", "granularity", "learning_summary", "supplementary_knowledge")
        return cls(**{k: row[k] for k in fields}, source=row.get("source", ""))


def read_records(
    path: Path, kind: type[Rationale] | type[Knowledge] | type[RationaleTokens]
) -> list[Any]:
    """Read a JSONL file of `kind` records, naming the file and line of a bad one."""
    rows = []
    for lineno, row in read_jsonl_lines(path):
        try:
            rows.append(kind.from_dict(row))
        except (KeyError, TypeError, ValueError) as err:
            raise DataError(
                f"bad {kind.__name__} record: {err}", where=f"{path}:{lineno}"
            ) from None
    return rows

"""Symbolic knowledge: parse a teacher's D.2 answer, or import a knowledge bank file.

A D.2 answer has a "Learning Summary:" section and (full variant) a "Supplementary Knowledge:"
section. Teachers decorate them (`**Learning Summary:**`, `### Supplementary Knowledge`,
`1. Learning Summary -`), so a header is that name at the start of a line after any markdown or
numbering, followed by a colon or the end of the line. An answer with neither section is a failed
request (`None`), never an empty knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skintern.errors import DataError
from skintern.files import read_jsonl
from skintern.records import Knowledge
from skintern.teacher.prompts import Demonstration

_HEADER = re.compile(
    r"^[ \t>#*_\-\d.)(]*(?P<name>learning\s+summary|supplementary\s+knowledge)"
    r"[*_ \t]*(?:[:：\-–](?P<rest>.*)|[*_ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_TAIL = " \t*_"  # what closes a header on its own line: "**Learning Summary:** text"
_RULE = re.compile(r"\n\s*(?:[-*_=]{3,}|#+)\s*$")  # a trailing horizontal rule or bare "###"


@dataclass(frozen=True, slots=True)
class ParsedKnowledge:
    learning_summary: str
    supplementary_knowledge: str


def _clean(first_line: str, rest: str) -> str:
    """A section's text: the header line's tail without its markdown, then the lines below."""
    text = first_line.strip(_HEADER_TAIL) + rest
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    return _RULE.sub("", text).strip()


def parse_knowledge(text: str) -> ParsedKnowledge | None:
    """The two sections of a D.2 answer; `None` when neither has any content."""
    found: dict[str, str] = {}
    matches = list(_HEADER.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = _clean(match.group("rest") or "", text[match.end() : end])
        name = "summary" if match.group("name").lower().startswith("learning") else "supp"
        if body and not found.get(name) and not _is_placeholder(body):
            found[name] = body
    if not found:
        return None
    return ParsedKnowledge(found.get("summary", ""), found.get("supp", ""))


def _is_placeholder(body: str) -> bool:
    """The template's own `[Learning Summary]` echoed back is not knowledge."""
    return body.strip("[] ").lower() in ("learning summary", "supplementary knowledge")


def read_bank(path: Path, source: str) -> list[Knowledge]:
    """A knowledge bank JSONL: rows keyed by `task` (task level) or `id` (example level)."""
    bank = []
    for lineno, row in enumerate(read_jsonl(path), start=1):
        where = f"{path}:{lineno}"
        if "id" in row:
            key, granularity = str(row["id"]), "example"
            parts = key.split("/")  # ids are dataset/task/index
            task = str(row.get("task") or (parts[-2] if len(parts) >= 3 else key))
        elif "task" in row:
            key = task = str(row["task"])
            granularity = "task"
        else:
            raise DataError("a knowledge row needs 'task' or 'id'", where=where)
        summary = row.get("learning_summary")
        if not isinstance(summary, str) or not summary.strip():
            raise DataError("missing field 'learning_summary'", where=where)
        granularity = row.get("granularity", granularity)
        if granularity not in ("example", "task"):
            raise DataError(
                f"granularity must be example or task, got {granularity!r}", where=where
            )
        bank.append(
            Knowledge(
                key=key,
                task=task,
                granularity=granularity,
                learning_summary=summary.strip(),
                supplementary_knowledge=str(row.get("supplementary_knowledge") or "").strip(),
                source=source,
            )
        )
    return bank


def read_demonstrations(path: Path) -> list[Demonstration]:
    """Hand-written D.2 demonstrations: JSONL of {question, answer, learning_summary, ...}."""
    demos = []
    for lineno, row in enumerate(read_jsonl(path), start=1):
        missing = [k for k in ("question", "answer", "learning_summary") if not row.get(k)]
        if missing:
            raise DataError(f"missing field {missing[0]!r}", where=f"{path}:{lineno}")
        demos.append(
            Demonstration(
                question=str(row["question"]),
                answer=str(row["answer"]),
                learning_summary=str(row["learning_summary"]),
                supplementary_knowledge=str(row.get("supplementary_knowledge") or ""),
            )
        )
    return demos

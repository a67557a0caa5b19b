"""Parsing D.2 answers: tolerant of markdown and numbering; neither section is a failure."""

import pytest

from skintern.errors import DataError
from skintern.teacher.knowledge import parse_knowledge, read_bank

PLAIN = """Learning Summary: 1. Read the question.
2. Count the steps.
Supplementary Knowledge: 1. Turning around reverses direction."""

MARKDOWN = """Sure! Here is what you asked for.

**Learning Summary:**
- Track the position after each instruction.

### Supplementary Knowledge
* Opposite steps cancel out.
"""

NUMBERED = """1. Learning Summary - Understand the goal first.
2) Supplementary knowledge: Definitions of left and right."""


@pytest.mark.parametrize(
    ("text", "summary", "supplementary"),
    [
        (
            PLAIN,
            "1. Read the question.\n2. Count the steps.",
            "1. Turning around reverses direction.",
        ),
        (MARKDOWN, "- Track the position after each instruction.", "* Opposite steps cancel out."),
        (NUMBERED, "Understand the goal first.", "Definitions of left and right."),
        ("Learning summary: only this.", "only this.", ""),
    ],
)
def test_sections_are_found(text, summary, supplementary):
    parsed = parse_knowledge(text)
    assert parsed is not None
    assert parsed.learning_summary == summary
    assert parsed.supplementary_knowledge == supplementary


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The answer is 7 because 3 plus 4 is 7.",
        "1. Learning summary should outline the thought processes",  # a sentence, not a header
        "Learning Summary: [Learning Summary]\nSupplementary Knowledge: [Supplementary Knowledge]",
    ],
)
def test_neither_section_is_a_failure(text):
    assert parse_knowledge(text) is None


def test_echoed_template_then_real_answer():
    text = "Learning Summary: [Learning Summary]\nLearning Summary: Think first."
    assert parse_knowledge(text).learning_summary == "Think first."


def test_bank_rows_and_bad_rows(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text(
        '{"task": "navigate", "learning_summary": "Track x, y.", '
        '"supplementary_knowledge": "Facing.", "granularity": "task"}\n'
        '{"id": "bbh/navigate/3", "learning_summary": "Here."}\n',
        encoding="utf-8",
    )
    task, example = read_bank(path, "bank:x")
    assert (task.key, task.task, task.granularity) == ("navigate", "navigate", "task")
    assert (example.key, example.task, example.granularity) == (
        "bbh/navigate/3",
        "navigate",
        "example",
    )
    path.write_text('{"task": "navigate"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="learning_summary") as err:
        read_bank(path, "bank:x")
    assert err.value.where == f"{path}:1"

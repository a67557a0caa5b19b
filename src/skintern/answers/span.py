"""Finding the part of a model's output that states its final answer (shared by all extractors).

The rule, in order:

1. The text after the LAST answer marker: "answer is" (the paper's "Therefore, the answer is",
   the BBH teacher's "So the answer is", "The final answer is"), "answer would/should be",
   "Answer:", or GSM8K's "####" before a number; or the content of the last `\\boxed{...}`,
   whichever comes later. A marker followed by nothing before the next marker or the end (a
   truncated or looping output) is skipped for the one before it; when all are, there is no
   answer. Only the first non-blank line after the marker is kept.
2. Without any marker, the last non-blank line when it is short (at most `FALLBACK_MAX_CHARS`):
   a model that answers directly ("(B)", "Yes", "42"). A long last line is a chain of thought cut
   off mid-way (a truncated or looping output) and gives no answer. Extractors read such an
   unmarked line more strictly (see `Span`).

Every regex here is linear in the length of the text, so endless outputs cost only their length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FALLBACK_MAX_CHARS = 100

_MARKER = re.compile(
    r"\banswers?\s+(?:is|are|would\s+be|should\s+be|will\s+be)\b\s*:?"
    r"|\banswer\s*:"
    r"|####(?=\s*[-\u2212$\\\d])",  # GSM8K's "#### 42", not a markdown heading "#### Step 2"
    re.IGNORECASE,
)
_BOXED = re.compile(r"\\boxed\s*\{")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|;")


@dataclass(frozen=True)
class Span:
    """Where the answer is stated; `marked` is False for the unmarked last-line fallback, where
    extractors are stricter (an option must be given by its letter or its whole text, not merely
    named in a sentence; a number is the last one on the line, not the first)."""

    text: str
    marked: bool = True


def _first_line(text: str) -> str:
    return text.lstrip().split("\n", 1)[0].strip()


def _boxed_content(text: str, start: int) -> str:
    """The text inside the braces opened just before `start`, nested braces included."""
    depth = 1
    for pos in range(start, len(text)):
        if text[pos] == "{":
            depth += 1
        elif text[pos] == "}":
            depth -= 1
            if depth == 0:
                return text[start:pos]
    return text[start:]


def _after_marker(text: str) -> tuple[int, str] | None:
    """(start, first line of what follows) for the last marker followed by something before the
    next marker; (start, "") when every marker is followed by nothing; None without markers."""
    matches = list(_MARKER.finditer(text))
    if not matches:
        return None
    ends = [match.start() for match in matches[1:]] + [len(text)]
    for match, end in zip(reversed(matches), reversed(ends), strict=True):
        line = _first_line(text[match.end() : end])
        if line:
            return match.start(), line
    return matches[-1].start(), ""


def answer_span(text: str) -> Span | None:
    """The raw statement of the final answer in `text` (see the module docstring), or None."""
    if not text or not text.strip():
        return None
    text = text.replace("**", "").replace("__", "")  # markdown bold around markers and answers
    marked = _after_marker(text)
    boxes = list(_BOXED.finditer(text))
    if boxes and (marked is None or boxes[-1].start() > marked[0]):
        content = _boxed_content(text, boxes[-1].end()).strip()
        return Span(content) if content else None
    if marked is not None:  # a marker followed by nothing is a truncated answer: no fallback
        return Span(marked[1]) if marked[1] else None
    last = text.strip().rsplit("\n", 1)[-1].strip()
    return Span(last, marked=False) if len(last) <= FALLBACK_MAX_CHARS else None


def clean(span: str) -> str:
    """`span` without markdown and LaTeX wrapping: `$12$`, `\\text{B}`, backticks, `\\(x\\)`."""
    span = _TEXT_CMD.sub(r"\1", span)
    boxed = _BOXED.search(span)
    if boxed:  # keep the box's content; what follows the box is LaTeX noise
        span = span[: boxed.start()] + _boxed_content(span, boxed.end())
    for token in ("\\(", "\\)", "\\[", "\\]", "$", "`", "*"):
        span = span.replace(token, "")
    return span.strip()


def first_sentence(span: str) -> str:
    """`span` up to its first sentence end, so a trailing explanation is ignored."""
    match = _SENTENCE_END.search(span)
    return (span[: match.start()] if match else span).strip()


def statement(span: Span) -> str:
    """The span's first sentence, unwrapped: what the extractors parse."""
    return first_sentence(clean(span.text))

"""Free-text answers, compared after the normalisation their gold calls for.

- A gold made only of closing brackets (BBH dyck_languages, "] ) }") is a bracket sequence: the
  answer is the run of closing brackets that opens the answer span, spaces and commas ignored; an
  opening bracket or a word ends it ("] ) } (closing the sequence)" is "] ) }").
- Any other gold (BBH word_sorting, short phrases) is a word sequence: case, commas, quotes and
  punctuation at the edges of words are ignored; the order of the words counts.

Both read the answer span (`span.answer_span`) up to its first sentence end.
"""

from __future__ import annotations

import re

from skintern.answers.extractor import Extractor, extractors
from skintern.answers.span import answer_span, statement
from skintern.answers.types import AnswerType, Gold

_CLOSING_ONLY = re.compile(r"[\s)\]}>]+")
_CLOSING_RUN = re.compile(r"[\s,)\]}>]*")
_EDGE_PUNCT = "\"'.,;:!?()[]{}<>"


def is_bracket_sequence(gold: str) -> bool:
    return bool(_CLOSING_ONLY.fullmatch(gold)) and bool(gold.strip())


def normalize_brackets(text: str) -> str:
    """The closing brackets at the start of `text`, one space between them: "] ) }"."""
    run = _CLOSING_RUN.match(text)
    return " ".join(ch for ch in run.group(0) if ch in ")]}>") if run else ""


def normalize_words(text: str) -> str:
    """Lower-case words, split on whitespace and commas, edge punctuation stripped."""
    words = (word.strip(_EDGE_PUNCT) for word in re.split(r"[\s,]+", text.casefold()))
    return " ".join(word for word in words if word)


def extract_free_text(text: str, gold: Gold) -> str | None:
    """The normalised answer `text` gives (brackets or words, by the gold's shape), or None."""
    span = answer_span(text)
    if span is None:
        return None
    head = statement(span)
    if is_bracket_sequence(gold.answer):
        answer = normalize_brackets(head)
    else:
        answer = normalize_words(head)
    return answer or None


def free_text_matches(answer: str, gold: Gold) -> bool:
    if is_bracket_sequence(gold.answer):
        return normalize_brackets(answer) == normalize_brackets(gold.answer.strip())
    return normalize_words(answer) == normalize_words(gold.answer)


extractors.register(AnswerType.FREE_TEXT.value)(
    Extractor(name="free-text", version=1, extract=extract_free_text, matches=free_text_matches)
)

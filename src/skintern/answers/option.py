"""Multiple-choice answers: the option letter ("B"), whatever way the model names it.

In the answer span (`span.answer_span`), up to its first sentence end:

1. letters in parentheses, "(B)" or "(B) 10/22/1924": exactly one distinct letter is the answer;
   two or more ("(A) or (B)", "(A), (B), and (D)") are a hedge and count as no answer, as in the
   official BBH scoring;
2. else a bare leading letter, "B", "B.", "B) ...", "Option B", followed by nothing or by that
   option's own text (so "A man ..." is not option A);
3. else the option text itself, matched against `gold.options` after case and punctuation are
   normalised: the whole span equal to one option, else exactly one option named in it (an
   option contained in a longer named one does not count twice). On an unmarked last line
   (`span.Span`) only the whole-span match counts: "Eve has Catch-22. So the" is a chain of
   thought cut off before its answer, not an answer.

A letter outside the question's options ("(G)" of six) is ignored.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from skintern.answers.extractor import Extractor, extractors
from skintern.answers.span import answer_span, statement
from skintern.answers.types import AnswerType, Gold

_PAREN_LETTER = re.compile(r"\(([A-Z])\)")
_BARE_LETTER = re.compile(r"^(?:option\s*)?([A-Z])(?:[.:),]|\s|$)", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w&'/-]+")


def _norm(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _letters(options: Sequence[str]) -> str:
    return string.ascii_uppercase[: len(options)] if options else string.ascii_uppercase


def _bare_letter(head: str, options: Sequence[str]) -> str | None:
    match = _BARE_LETTER.match(head)
    if not match:
        return None
    letter = match.group(1).upper()
    if letter not in _letters(options):
        return None
    rest = _norm(head[match.end() :])
    if not rest or (options and rest == _norm(options[string.ascii_uppercase.index(letter)])):
        return letter
    return None


def _by_text(head: str, options: Sequence[str], contained: bool) -> str | None:
    said = _norm(head)
    texts = [_norm(option) for option in options]
    if said in texts:
        return string.ascii_uppercase[texts.index(said)]
    if not contained:
        return None
    padded = f" {said} "
    named = {i for i, text in enumerate(texts) if text and f" {text} " in padded}
    named = {i for i in named if not any(i != j and texts[i] in texts[j] for j in named)}
    return string.ascii_uppercase[named.pop()] if len(named) == 1 else None


def extract_option(text: str, gold: Gold) -> str | None:
    """The option letter `text` answers with, or None (no answer, or a hedge)."""
    span = answer_span(text)
    if span is None:
        return None
    head = statement(span)
    valid = _letters(gold.options)
    letters = {letter for letter in _PAREN_LETTER.findall(head) if letter in valid}
    if letters:
        return letters.pop() if len(letters) == 1 else None
    return _bare_letter(head, gold.options) or _by_text(head, gold.options, span.marked)


def option_matches(answer: str, gold: Gold) -> bool:
    return answer.strip("() ").upper() == gold.answer.strip().strip("()").upper()


extractors.register(AnswerType.OPTION.value)(
    Extractor(name="option-letter", version=1, extract=extract_option, matches=option_matches)
)

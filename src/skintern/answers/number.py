"""Numeric answers (GSM8K, BBH multistep_arithmetic_two and object_counting), compared as numbers.

In the answer span (`span.answer_span`, which also finds "#### 42" and `\\boxed{42}`), up to its
first sentence end and after its last "=" ("5 * 3 = 15"): the first number (the last one on an
unmarked last line, "So she has 18 dollars left"), with "$", units,
thousands commas ("1,234"), a trailing period, LaTeX and a Unicode minus allowed around it; a
simple fraction "3/4" is a number too. Without a digit, a number word from zero to twenty
("five") is accepted. Numbers are parsed with `fractions.Fraction`, never evaluated, so "18",
"18.0" and "$18.00" are equal.
"""

from __future__ import annotations

import re
from fractions import Fraction

from skintern.answers.extractor import Extractor, extractors
from skintern.answers.span import answer_span, statement
from skintern.answers.types import AnswerType, Gold

_NUMBER = re.compile(r"(-\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?/\s?(\d+))?")
_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def parse_number(text: str, last: bool = False) -> Fraction | None:
    """The first (or `last`) number written in `text` ("-1,234.5", "3/4", "five"), or None."""
    text = text.translate(_MINUS)
    found = list(_NUMBER.finditer(text))
    match = (found[-1] if last else found[0]) if found else None
    if match is None:
        word = _NUMBER_WORD.search(text)
        return Fraction(_WORDS.index(word.group(1).lower())) if word else None
    sign, whole, decimals, denominator = match.groups()
    value = Fraction(whole.replace(",", "") + (decimals or ""))
    if denominator is not None:
        if int(denominator) == 0:
            return None
        value /= int(denominator)
    return -value if sign else value


def format_number(value: Fraction) -> str:
    """A canonical spelling: "18", "-3.5", "1/3" (exact, never rounded)."""
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    return repr(as_float) if Fraction(repr(as_float)) == value else str(value)


def extract_number(text: str, gold: Gold) -> str | None:
    """The final number `text` answers with, canonically spelled, or None."""
    span = answer_span(text)
    if span is None:
        return None
    head = statement(span)
    value = parse_number(head.rsplit("=", 1)[-1], last=not span.marked)
    if value is None:
        value = parse_number(head, last=not span.marked)
    return None if value is None else format_number(value)


def number_matches(answer: str, gold: Gold) -> bool:
    wanted = parse_number(gold.answer)
    if wanted is None:  # a gold that is not a number: compare the spellings
        return answer.strip() == gold.answer.strip()
    return parse_number(answer) == wanted


extractors.register(AnswerType.NUMBER.value)(
    Extractor(name="number", version=1, extract=extract_number, matches=number_matches)
)

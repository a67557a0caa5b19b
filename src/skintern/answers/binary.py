"""Two-word answers: yes/no, True/False, valid/invalid (BBH causal_judgement, navigate,
sports_understanding, web_of_lies, boolean_expressions, formal_fallacies; StrategyQA).

After the answer span is found (`span.answer_span`), its first word decides ("Yes, because ...")
unless it opens a hedge ("yes or no"); otherwise the span must name exactly one of the two words
and no "not". Comparison ignores case, since BBH writes "Yes" in one task and "no" in another.
"""

from __future__ import annotations

import re

from skintern.answers.extractor import Extractor, extractors
from skintern.answers.span import answer_span, statement
from skintern.answers.types import AnswerType, Gold

_WORD = re.compile(r"[a-z]+")


def _binary(name: str, words: tuple[str, str]) -> Extractor:
    """The extractor for an answer that is one of `words` (canonical spelling, any case)."""
    by_key = {word.casefold(): word for word in words}

    def extract(text: str, gold: Gold) -> str | None:
        span = answer_span(text)
        if span is None:
            return None
        tokens = _WORD.findall(statement(span).casefold())
        if tokens[1:2] == ["or"] and set(tokens[:3]) - {"or"} <= by_key.keys():
            return None  # "yes or no": a hedge, not an answer
        if tokens and tokens[0] in by_key:
            return by_key[tokens[0]]
        named = {token for token in tokens if token in by_key}
        if len(named) == 1 and "not" not in tokens:
            return by_key[named.pop()]
        return None

    def matches(answer: str, gold: Gold) -> bool:
        return answer.casefold() == gold.answer.strip().casefold()

    return Extractor(name=name, version=1, extract=extract, matches=matches)


extractors.register(AnswerType.YES_NO.value)(_binary("yes-no", ("Yes", "No")))
extractors.register(AnswerType.TRUE_FALSE.value)(_binary("true-false", ("True", "False")))
extractors.register(AnswerType.VALID_INVALID.value)(_binary("valid-invalid", ("valid", "invalid")))

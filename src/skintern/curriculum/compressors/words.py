"""Word-level selection to an exact token budget, shared by the word-dropping compressors.

A compressor ranks whole words (so a number, an operator or a name is never cut in half); these
helpers give each word its token cost in context, keep words in rank order until the budget of
round(rate * n) tokens is spent, and then measure the joined output and correct it, so the kept
fraction is exact within a token or two also on short texts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skintern.curriculum.compressors.base import count_tokens

_WORD = re.compile(r"(\s*)(\S+)")
_OPERATOR = re.compile(r"[=<>+*/^%×÷≤≥≠]|^[-−–]$")
_LIST_MARKER = re.compile(r"^\(?\d{1,2}[.):]$")
_SENTENCE_END = (".", "!", "?", ":", ";")
_MAX_FIXES = 64  # each fix re-tokenizes the output; a few suffice in practice


@dataclass(frozen=True, slots=True)
class Word:
    """A whitespace-delimited word, the whitespace before it, and where it starts."""

    text: str
    sep: str
    start: int


def split_words(text: str) -> list[Word]:
    """The words of `text` with their preceding whitespace (trailing whitespace is dropped)."""
    return [Word(m.group(2), m.group(1), m.start(2)) for m in _WORD.finditer(text)]


def join_words(words: Sequence[Word], kept: set[int]) -> str:
    """The kept words in their original order, each with its original preceding whitespace."""
    return "".join(words[i].sep + words[i].text for i in sorted(kept)).lstrip()


def token_word_index(tokenizer: Any, text: str, words: Sequence[Word]) -> list[int]:
    """For each token of `text`, the index of the word it belongs to.

    A token that is only whitespace (a newline) belongs to the word after it, whose separator
    it is; so the words' token counts add up to the text's.
    """
    if not words:
        return []
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    starts = [word.start for word in words]
    owners = []
    for start, end in encoded["offset_mapping"]:
        pos = start
        while pos < end and text[pos].isspace():
            pos += 1
        if pos < end:
            owners.append(max(0, bisect.bisect_right(starts, pos) - 1))
        else:
            owners.append(min(len(words) - 1, bisect.bisect_left(starts, end)))
    return owners


def word_costs(tokenizer: Any, text: str, words: Sequence[Word]) -> list[int]:
    """Each word's tokens in context (its separator included)."""
    costs = [0] * len(words)
    for owner in token_word_index(tokenizer, text, words):
        costs[owner] += 1
    return costs


def is_protected(words: Sequence[Word], i: int) -> bool:
    """Digits, operators and named entities, which the compressors keep readable and first.

    A named entity here is a capitalised word that does not open a sentence or line, or an
    acronym (two or more capitals): cheap rules that need no tagger.
    """
    word = words[i].text
    opens_line = i == 0 or "\n" in words[i].sep
    if opens_line and _LIST_MARKER.match(word):
        return False  # "2." numbering a list carries no content: rank it like any word
    if any(ch.isdigit() for ch in word) or _OPERATOR.search(word):
        return True
    core = word.strip("\"'()[]{},.;:!?")
    if len(core) >= 2 and core.isupper():
        return True
    if not core[:1].isupper() or opens_line:
        return False
    return not words[i - 1].text.endswith(_SENTENCE_END)


def fill(order: Sequence[int], costs: Sequence[int], limit: int) -> set[int]:
    """Keep words in `order` (best first) while they fit in `limit` tokens, skipping big ones."""
    kept: set[int] = set()
    used = 0
    for i in order:
        if used + costs[i] <= limit:
            kept.add(i)
            used += costs[i]
            if used == limit:
                return kept
    return _swap_up(order, costs, kept, limit - used)


def _swap_up(order: Sequence[int], costs: Sequence[int], kept: set[int], room: int) -> set[int]:
    """Use leftover room by swapping a kept word for a dearer better-ranked one (short texts)."""
    worst_first = [i for i in reversed(order) if i in kept]
    for i in order:
        if room <= 0:
            break
        if i in kept:
            continue
        for j in worst_first:
            gain = costs[i] - costs[j]
            if j in kept and 0 < gain <= room:
                kept.discard(j)
                kept.add(i)
                room -= gain
                break
    return kept


def select(tokenizer: Any, text: str, order: Sequence[int], rate: float) -> str:
    """Keep round(rate * n) of the n tokens of `text`, preferring words early in `order`.

    The output is measured after joining (tokens can merge or split across a dropped word) and
    corrected: drop the lowest-ranked kept word while over budget, add the best word that still
    fits while under it.
    """
    words = split_words(text)
    costs = word_costs(tokenizer, text, words)
    limit = int(round(rate * sum(costs)))
    kept = fill(order, costs, limit)
    rank = {i: r for r, i in enumerate(order)}
    tried = set(kept)
    best, best_n = "", 0
    for _ in range(_MAX_FIXES):
        out = join_words(words, kept)
        measured = count_tokens(tokenizer, out)
        if best_n <= measured <= limit:
            best, best_n = out, measured
        if measured == limit:
            break
        if measured > limit:
            kept.discard(max(kept, key=rank.__getitem__))
            continue
        room = limit - measured
        extra = next((i for i in order if i not in tried and costs[i] <= room), None)
        if extra is None:
            break
        tried.add(extra)
        kept.add(extra)
    return best

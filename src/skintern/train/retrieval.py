"""BM25 passage retrieval for KARD (Kang et al., 2023), via `bm25s`.

The default corpus is the teacher's knowledge bank split into passages: every learning summary and
supplementary knowledge text, cut at blank lines (and into chunks of at most `max_words` words).
A user corpus is a .txt file (one passage per blank-line-separated paragraph) or a .jsonl file
with a `text` field per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from skintern.errors import DataError
from skintern.files import read_jsonl, read_text, require
from skintern.records import Knowledge

_PARAGRAPH = re.compile(r"\n\s*\n")


def split_passages(text: str, max_words: int = 100) -> list[str]:
    """Paragraphs of `text`, each cut into chunks of at most `max_words` words."""
    passages = []
    for paragraph in _PARAGRAPH.split(text):
        words = paragraph.split()
        for start in range(0, len(words), max_words):
            passages.append(" ".join(words[start : start + max_words]))
    return passages


def knowledge_passages(bank: Iterable[Knowledge]) -> list[str]:
    """The knowledge bank as passages, deduplicated, in a stable order."""
    seen: dict[str, None] = {}
    for item in bank:
        for part in (item.learning_summary, item.supplementary_knowledge):
            for passage in split_passages(part or ""):
                seen.setdefault(passage, None)
    return list(seen)


def read_corpus(path: Path) -> list[str]:
    """A user passage corpus: .jsonl rows with `text`, else blank-line-separated paragraphs."""
    if path.suffix == ".jsonl":
        return [str(require(row, "text", f"{path}:{i}")) for i, row in enumerate(read_jsonl(path))]
    return split_passages(read_text(path))


class PassageRetriever:
    """Top-k BM25 passages for a query (deterministic; the same at train and test time)."""

    def __init__(self, passages: list[str], k: int = 3):
        import bm25s

        if not passages:
            raise DataError(
                "KARD has no passages to retrieve from",
                hint="give teacher knowledge (skintern teach) or train.methods.kard.corpus=FILE",
            )
        self.passages = passages
        self.k = min(k, len(passages))
        self._index = bm25s.BM25()
        self._index.index(
            bm25s.tokenize(passages, stopwords="en", show_progress=False), show_progress=False
        )
        self._cache: dict[str, list[str]] = {}

    def retrieve(self, query: str) -> list[str]:
        if query not in self._cache:
            import bm25s

            tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
            if not tokens.vocab:  # a query of stop words only: nothing to score
                self._cache[query] = self.passages[: self.k]
            else:
                ids, _ = self._index.retrieve(tokens, k=self.k, show_progress=False)
                self._cache[query] = [self.passages[int(i)] for i in ids[0]]
        return self._cache[query]

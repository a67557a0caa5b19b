"""From cached answers to the stage's records: kept rationales and parsed (or imported) knowledge.

Pure apart from reading the cache rows handed in: the same cache always gives the same outputs,
which is what makes a killed-and-resumed run end like an uninterrupted one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from skintern.answers import extract_answer
from skintern.data.example import Example
from skintern.records import Knowledge, Rationale, RationaleTokens, TokenLogprob
from skintern.teacher.backends.base import Request
from skintern.teacher.cache import Cached
from skintern.teacher.knowledge import parse_knowledge
from skintern.teacher.rationales import TaskCounts, keep


@dataclass
class RationaleOutput:
    rationales: list[Rationale]
    counts: TaskCounts
    unanswered: Counter[str] = field(default_factory=Counter)  # no final answer found, per task
    tokens: list[RationaleTokens] = field(default_factory=list)  # when logprobs were asked for


def align_tokens(tokens: Sequence[TokenLogprob], text: str) -> tuple[TokenLogprob, ...]:
    """The longest run of `tokens` whose text starts `text.strip()` (the target a method trains
    on), after the leading whitespace-only tokens that the strip dropped. Where the normalisation
    rewrote the end ("So the answer is 4" -> "Therefore, the answer is 4.") the run stops."""
    target = text.strip()
    start = 0
    while start < len(tokens) and tokens[start].token and not tokens[start].token.strip():
        start += 1
    end, length = start, 0
    for token in tokens[start:]:
        piece = token.token
        if not piece or not target.startswith(piece, length):
            break
        end, length = end + 1, length + len(piece)
    return tuple(tokens[start:end])


def build_rationales(
    examples: Sequence[Example],
    requests: Sequence[Request],
    cached: Mapping[str, Cached],
    source: str,
) -> RationaleOutput:
    """Kept rationales in example order then sample order, with per-task counts."""
    by_id = {example.id: example for example in examples}
    counts = TaskCounts()
    out = RationaleOutput([], counts)
    covered: set[str] = set()
    for example in examples:
        counts.examples[example.task] += 1
    for request in requests:
        example = by_id[request.meta["id"]]
        counts.requested[example.task] += 1
        hit = cached.get(request.key)
        if hit is None:
            continue
        counts.answered[example.task] += 1
        if extract_answer(hit.text, example) is None:
            out.unanswered[example.task] += 1
        text = keep(hit.text, example)
        if text is None:
            continue
        counts.kept[example.task] += 1
        if example.id not in covered:
            covered.add(example.id)
            counts.covered[example.task] += 1
        sample = int(request.meta["sample"])
        out.rationales.append(
            Rationale(id=example.id, task=example.task, sample=sample, text=text, source=source)
        )
        if hit.logprobs is not None:
            out.tokens.append(RationaleTokens(example.id, sample, align_tokens(hit.logprobs, text)))
    return out


@dataclass
class KnowledgeOutput:
    knowledge: list[Knowledge]
    unparsed: int = 0  # answers with neither section: failed requests
    missing: list[str] = field(default_factory=list)  # keys with no answer or no bank entry


def build_teacher_knowledge(
    requests: Sequence[Request], cached: Mapping[str, Cached], source: str
) -> KnowledgeOutput:
    """Parse each answered knowledge request; unparseable answers are counted, not kept."""
    out = KnowledgeOutput([])
    for request in requests:
        meta = request.meta
        hit = cached.get(request.key)
        if hit is None:
            out.missing.append(meta["key"])
            continue
        parsed = parse_knowledge(hit.text)
        if parsed is None:
            out.unparsed += 1
            continue
        out.knowledge.append(
            Knowledge(
                key=meta["key"],
                task=meta["task"],
                granularity=meta["granularity"],
                learning_summary=parsed.learning_summary,
                supplementary_knowledge=parsed.supplementary_knowledge,
                source=source,
            )
        )
    return out


def select_bank(bank: Sequence[Knowledge], examples: Sequence[Example]) -> KnowledgeOutput:
    """The bank entries for this run's tasks (task level) or examples (example level)."""
    tasks = sorted({example.task for example in examples})
    ids = {example.id for example in examples}
    task_rows = {k.key: k for k in bank if k.granularity == "task"}
    out = KnowledgeOutput([k for k in (task_rows.get(t) for t in tasks) if k is not None])
    out.knowledge += [k for k in bank if k.granularity == "example" and k.key in ids]
    covered = {k.task for k in out.knowledge}
    out.missing = [task for task in tasks if task not in covered]
    return out

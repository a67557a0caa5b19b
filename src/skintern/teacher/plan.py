"""The requests a teacher run needs: l rationale samples per question, and knowledge requests.

Pure: examples and config in, `Request`s out, each with its cache key. Two items with the same
prompt and parameters share one key and so one answer (asked once).
"""

from __future__ import annotations

from collections.abc import Sequence

from skintern.data.example import Example
from skintern.teacher.backends.base import Request, Sampling
from skintern.teacher.cache import request_key
from skintern.teacher.config import TeacherConfig
from skintern.teacher.prompts import PROMPT_VERSION, Demonstration, knowledge_prompt
from skintern.teacher.prompts import rationale_prompt as d1_prompt
from skintern.teacher.rationales import render_answer

ANSWERS_BY_ID = ("replay", "gold")  # backends whose answer depends on the example, not the prompt


def rationale_requests(
    cfg: TeacherConfig, identity: str, examples: Sequence[Example]
) -> list[Request]:
    """One request per (example, sample j), j < l, sample j seeded with `seed + j`."""
    rc = cfg.rationales
    # A scored run asks the backend for text alone: its answers keep their text-only keys, and
    # the logprobs come from the scoring model (`skintern.teacher.scoring`).
    top_k = 0 if rc.score_with else rc.logprobs
    requests = []
    for example in examples:
        description = example.meta.get("task_description", "")
        prompt = d1_prompt(example.task, description, example.question)
        for j in range(rc.samples):
            sampling = Sampling(
                rc.temperature, rc.top_p, rc.max_tokens, rc.seed + j, tuple(rc.stop), top_k
            )
            # Replay and gold answer by example id, so the id is part of what is asked.
            extra = {"example": example.id} if cfg.backend in ANSWERS_BY_ID else {}
            key = request_key(
                identity,
                prompt,
                sampling.to_dict(),
                kind="rationale",
                sample=j,
                prompt_version=PROMPT_VERSION,
                **extra,
            )
            meta = {"id": example.id, "task": example.task, "sample": j}
            meta["question"] = example.question
            if cfg.backend == "gold":
                meta["gold_rationale"] = example.meta.get("rationale")
            requests.append(Request(key, "rationale", prompt, sampling, meta))
    return requests


def knowledge_groups(
    cfg: TeacherConfig, examples: Sequence[Example]
) -> list[tuple[str, str, list[Example]]]:
    """(knowledge key, task, examples shown) per example, or per task with its first few."""
    if cfg.knowledge.granularity == "example":
        return [(example.id, example.task, [example]) for example in examples]
    by_task: dict[str, list[Example]] = {}
    for example in examples:
        by_task.setdefault(example.task, []).append(example)
    n = cfg.knowledge.task_examples
    return [(task, task, shown[:n]) for task, shown in by_task.items()]


def knowledge_requests(
    cfg: TeacherConfig,
    identity: str,
    examples: Sequence[Example],
    demonstrations: Sequence[Demonstration] = (),
) -> list[Request]:
    """One D.2 request per example or per task (`teacher.knowledge.granularity`)."""
    kc = cfg.knowledge
    sampling = Sampling(kc.temperature, 1.0, kc.max_tokens, kc.seed)
    requests = []
    for key, task, shown in knowledge_groups(cfg, examples):
        pairs = [(example.question, render_answer(example)) for example in shown]
        prompt = knowledge_prompt(kc.variant, pairs, demonstrations)
        cache_key = request_key(
            identity,
            prompt,
            sampling.to_dict(),
            kind="knowledge",
            variant=kc.variant,
            prompt_version=PROMPT_VERSION,
        )
        meta = {"key": key, "task": task, "granularity": kc.granularity}
        requests.append(Request(cache_key, "knowledge", prompt, sampling, meta))
    return requests

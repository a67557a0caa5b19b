"""Backend `gold`: the dataset's own rationales and rules as a perfect, offline teacher.

Rationale requests are answered with `Example.meta["rationale"]`: the exact step-by-step
rationales of the `synthetic` tasks (the procedural teacher of `skintern demo`), and the human
rationales that ship with GSM8K, StrategyQA or AGIEval. Knowledge requests are answered, at task
granularity, with the rules of a `synthetic` task (`synthetic_knowledge.KNOWLEDGE`) in the D.2
"Learning Summary: / Supplementary Knowledge:" format. Anything else fails with reason
`gold-missing`; token counts are zero: nothing is generated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from skintern.data.loaders.synthetic import GENERATORS, parse_task
from skintern.data.loaders.synthetic_knowledge import KNOWLEDGE
from skintern.teacher.backends.base import Completion, Failure, OnResult, Request, backends
from skintern.teacher.config import TeacherConfig


def task_rules(task: str) -> str | None:
    """The rules of a synthetic task as a D.2 answer, or None for any other task."""
    name = task.partition(":")[0]
    if name not in GENERATORS:
        return None
    parse_task(task)
    rules = KNOWLEDGE[name]
    return (
        f"Learning Summary: {rules.learning_summary}\n"
        f"Supplementary Knowledge: {rules.supplementary_knowledge}"
    )


@backends.register("gold")
class GoldBackend:
    """Answers from the examples' gold rationales and the synthetic tasks' rules."""

    name: ClassVar[str] = "gold"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return "gold"

    def check(self) -> None:
        pass

    def answer(self, request: Request) -> Completion | Failure:
        if request.kind == "knowledge":
            text = task_rules(request.meta["task"])
        else:
            text = request.meta.get("gold_rationale")
        if not text:
            what = f"{request.kind} for {request.meta.get('id') or request.meta.get('task')}"
            return Failure(request.key, "gold-missing", f"the data holds no gold {what}")
        return Completion(request.key, text, finish_reason="gold")

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        for request in requests:
            on_result(self.answer(request))

    def close(self) -> None:
        pass

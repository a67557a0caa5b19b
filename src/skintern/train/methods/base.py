"""What a method is: how it renders training records, weights its loss and prompts at inference.

One shared training loop and one progressive driver serve every method; a method file holds only
what differs (STYLE.md "One training loop; a method holds only what differs"). The helpers below
are the prompt pieces several methods share, so that e.g. Std-CoT and SKIntern prompt identically
at inference (same cost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from skintern.curriculum.render import plain_prompt
from skintern.data.example import AnswerType, Example
from skintern.errors import DataError
from skintern.records import FINAL_PHRASE, Knowledge, Rationale
from skintern.registry import Registry

COT_CUE = "Let's think step by step."
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class TrainRecord:
    """One (prompt, target) pair; the loss is on `target` tokens only, scaled by `weight`."""

    id: str  # the Example id it comes from
    prompt: str  # plain text; the model's chat template is applied at tokenization
    target: str
    kind: str = "rationale"  # "rationale", "answer", ... (CasCoD weighs kinds differently)
    weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodContext:
    """Everything a method may read to render an example (built once per run).

    Attributes:
        rationales: Example id -> kept teacher rationales.
        knowledge: Example id or task name -> knowledge (example-level wins).
        extras: method-specific inputs: `retriever` (KARD), `steps` (SKIntern step rows:
            step -> Example id -> list of {"prompt", "target"}), `cascod_alpha`, `data_dir`,
            `train_examples` (few-shot-CoT exemplars outside BBH).
    """

    rationales: dict[str, list[Rationale]]
    knowledge: dict[str, Knowledge]
    extras: dict[str, Any] = field(default_factory=dict)


class Method(Protocol):
    """A distillation method or prompting baseline, registered under its user-facing name."""

    name: str
    trains: bool  # False for zero-shot / zero-shot-CoT / few-shot-CoT baselines
    stages: int  # inference stages: 1, or 2 for CasCoD (question -> rationale -> answer)
    needs_retrieval: bool  # KARD: passages retrieved for the question at train and test time
    needs_curriculum: bool  # SKIntern: trains on the curriculum stage's step records

    def num_steps(self, ctx: MethodContext) -> int:
        """T, the schedule steps of training: 1 for every method but SKIntern."""
        ...

    def loss_weights(self, ctx: MethodContext) -> dict[str, float]:
        """Loss weight per record kind (kinds not listed weigh 1)."""
        ...

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        """The records of `example` at schedule step `step` (1-based); [] skips the example."""
        ...

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        """The prompt at inference stage `stage`; `previous` is the prior stage's output."""
        ...


methods: Registry[Method] = Registry("method")


def register(name: str) -> Callable[[type[M]], type[M]]:
    """Class decorator: registers one instance of the class under `name` (`methods.get` returns
    a ready method) and leaves the class as it is."""

    def add(cls: type[M]) -> type[M]:
        methods.register(name)(cls())
        return cls

    return add


class BaseMethod:
    """Defaults shared by the single-step, single-stage methods (inherit at most this level)."""

    name = ""
    trains = True
    stages = 1
    needs_retrieval = False
    needs_curriculum = False

    def num_steps(self, ctx: MethodContext) -> int:
        return 1

    def loss_weights(self, ctx: MethodContext) -> dict[str, float]:
        return {}

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        return []

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return cot_prompt(example)


def description(example: Example) -> str:
    return str(example.meta.get("task_description", ""))


def cot_prompt(example: Example) -> str:
    """The plain CoT prompt, the question alone: Std-CoT at train and test time, SKIntern's last
    schedule step and its inference, rendered by the curriculum's own function so they match."""
    return plain_prompt(description(example), example.question)


def answer_prompt(example: Example) -> str:
    """The answer-only prompt (fine-tuning, the label task of MT-CoT)."""
    return f"{description(example)}\n\nQuestion: {example.question}\nAnswer:".lstrip()


def answer_text(example: Example) -> str:
    """The gold answer as a target writes it: "(B)" for options, else the answer itself."""
    if example.answer_type is AnswerType.OPTION:
        return f"({example.answer})"
    return example.answer


def final_sentence(example: Example) -> str:
    """`Therefore, the answer is X.`, the sentence every target ends with."""
    return f"{FINAL_PHRASE} {answer_text(example)}."


def cot_target(text: str, example: Example) -> str:
    """A rationale as a target, ending in the final sentence (added when the teacher omitted it)."""
    text = text.strip()
    if FINAL_PHRASE in text[-len(FINAL_PHRASE) - 40 :]:
        return text
    return f"{text}\n{final_sentence(example)}"


def strip_final(text: str) -> str:
    """The rationale without its final answer sentence (CasCoD's stage-1 target)."""
    head, found, _ = text.strip().rpartition(FINAL_PHRASE)
    return head.strip() if found and head.strip() else text.strip()


def knowledge_for(example: Example, ctx: MethodContext) -> Knowledge | None:
    """The example's own knowledge, else its task's (task-level banks), else None."""
    return ctx.knowledge.get(example.id) or ctx.knowledge.get(example.task)


def require_knowledge(example: Example, ctx: MethodContext, method: str) -> Knowledge:
    found = knowledge_for(example, ctx)
    if found is None:
        raise DataError(
            f"method {method!r} needs knowledge for {example.id} (or its task {example.task!r})",
            hint="run `skintern teach` with knowledge, or import a knowledge bank",
        )
    return found


def rationale_records(example: Example, ctx: MethodContext, prompt: str) -> list[TrainRecord]:
    """One rationale record per kept teacher rationale of `example` (Eq. 4 averages over all)."""
    return [
        TrainRecord(example.id, prompt, cot_target(r.text, example), "rationale")
        for r in ctx.rationales.get(example.id, [])
    ]

"""What a method is: how it renders training records, weights its loss and prompts at inference,
which inputs it reads (`Input`) and which settings it has (its own pydantic model, registered
with it: `@register("kard", config=KardSettings)`, set under `train.methods.kard`).

A new method is one module in this package (found and imported by `methods/__init__`) plus its
test; the config, the CLI, `configs/REFERENCE.md` and the contract tests read the registry. One
shared training loop and one progressive driver serve every method; a method file holds only
what differs (STYLE.md "One training loop; a method holds only what differs"). The helpers below
are the prompt pieces several methods share, so that e.g. Std-CoT and SKIntern prompt identically
at inference (same cost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from skintern.data.example import AnswerType, Example
from skintern.data.prompt import question_prompt
from skintern.errors import DataError
from skintern.records import FINAL_PHRASE, Knowledge, Rationale
from skintern.registry import Registry
from skintern.train.soft import Distill, SoftTargets

if TYPE_CHECKING:
    from skintern.models.vocab import VocabMap
    from skintern.records import RationaleTokens

COT_CUE = "Let's think step by step."
M = TypeVar("M")


class Input(StrEnum):
    """What a method may read beyond the example itself; each method declares its own, and only
    those are built for it (`skintern.train.context.build_context`)."""

    RATIONALES = "rationales"  # RUN/teacher/rationales.jsonl: kept teacher CoTs
    KNOWLEDGE = "knowledge"  # RUN/teacher/knowledge.jsonl: learning summary + supplementary
    CURRICULUM = "curriculum"  # RUN/curriculum/: the step records, as its manifest lists them
    PASSAGES = "passages"  # a BM25 retriever over passages (settings: `PassageSettings`)
    TRAIN_EXAMPLES = "train-examples"  # the run's training examples (few-shot exemplars)
    DATA_ROOT = "data-root"  # the data root (BBH's official CoT prompts)
    TEACHER_TOKENS = "teacher-tokens"  # RUN/teacher/logprobs.jsonl, mapped onto the student's
    # vocabulary (settings: `SoftSettings`)


class NoSettings(BaseModel):
    """This method has no settings of its own."""

    model_config = ConfigDict(extra="forbid")


class PassageSettings(BaseModel):
    """Settings of a method that retrieves passages for the question (`Input.PASSAGES`)."""

    model_config = ConfigDict(extra="forbid")

    passages: int = Field(default=3, ge=1, description="Passages retrieved per question.")
    corpus: str | None = Field(
        default=None,
        description="Passage corpus (.txt paragraphs or .jsonl with `text`); default: the "
        "teacher knowledge bank split into passages.",
    )


class DistillSettings(BaseModel):
    """The KL term of a method that distils soft targets (`skintern.train.soft`)."""

    model_config = ConfigDict(extra="forbid")

    kl_weight: float = Field(
        default=1.0, ge=0, description="Weight of the KL term beside cross-entropy."
    )
    temperature: float = Field(
        default=1.0, gt=0, description="T: both distributions are softened by T (loss x T^2)."
    )


class SoftSettings(DistillSettings):
    """Settings of a method that distils the teacher's token logprobs (`Input.TEACHER_TOKENS`)."""

    on_mismatch: Literal["error", "text-only"] = Field(
        default="error",
        description="When the teacher's tokens do not map onto the student's vocabulary (or the "
        "teacher kept no logprobs): `error` stops, naming both models; `text-only` trains on the "
        "text alone and the train manifest records why.",
    )


class Retriever(Protocol):
    def retrieve(self, query: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class TrainRecord:
    """One (prompt, target) pair; the loss is on `target` tokens only, scaled by `weight`.

    Distilling methods add soft targets: `soft` (the teacher's top-K per target token, with
    `target_ids` the exact tokens they belong to), or `teacher_prompt`, under which the student
    itself, with no gradient, gives them (self-context distillation).
    """

    id: str  # the Example id it comes from
    prompt: str  # plain text; the model's chat template is applied at tokenization
    target: str
    kind: str = "rationale"  # "rationale", "answer", ... (CasCoD weighs kinds differently)
    weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)
    target_ids: tuple[int, ...] | None = None  # the target's exact token ids, EOS excluded
    soft: SoftTargets | None = None  # per target token: the teacher's top-K
    teacher_prompt: str | None = None  # self-context distillation: the privileged prompt


@dataclass(frozen=True)
class Curriculum:
    """The curriculum stage's output as SKIntern reads it (`Input.CURRICULUM`)."""

    steps: list[Any]  # `CurriculumStep`s of the manifest: t, S_t, epochs, file
    rows: dict[int, dict[str, list[dict[str, Any]]]]  # t -> Example id -> {"prompt", "target"}


@dataclass(frozen=True)
class MethodContext:
    """Everything a method may read to render an example (built once per run, from the inputs
    the method declares; the others stay empty).

    Attributes:
        rationales: Example id -> kept teacher rationales.
        knowledge: Example id or task name -> knowledge (example-level wins).
        settings: the method's own settings (an instance of its registered config model).
        curriculum: SKIntern's step records.
        retriever: KARD's passage retriever.
        train_examples: the run's training examples (few-shot-CoT exemplars outside BBH).
        data_dir: the data root (few-shot-CoT's BBH prompts).
        teacher_tokens: Example id -> sample -> the teacher's tokens of that kept rationale.
        vocab: the student's vocabulary the teacher tokens map onto (None: text only).
        soft_fallback: why a method that distils logprobs trains on text alone (None: it does
            not); the train manifest records it.
    """

    rationales: dict[str, list[Rationale]] = field(default_factory=dict)
    knowledge: dict[str, Knowledge] = field(default_factory=dict)
    settings: Any = None
    curriculum: Curriculum | None = None
    retriever: Retriever | None = None
    train_examples: tuple[Example, ...] = ()
    data_dir: str | None = None
    teacher_tokens: dict[str, dict[int, RationaleTokens]] = field(default_factory=dict)
    vocab: VocabMap | None = None
    soft_fallback: str | None = None


class Method(Protocol):
    """A distillation method or prompting baseline, registered under its user-facing name."""

    name: str  # set by `register`
    settings_model: type[BaseModel]  # its settings, `train.methods.NAME` (set by `register`)
    trains: bool  # False for zero-shot / zero-shot-CoT / few-shot-CoT baselines
    stages: int  # inference stages: 1, or 2 for CasCoD (question -> rationale -> answer)
    inputs: frozenset[Input]  # what it reads at train and test time

    def num_steps(self, ctx: MethodContext) -> int:
        """T, the schedule steps of training: 1 for every method but SKIntern."""
        ...

    def loss_weights(self, ctx: MethodContext) -> dict[str, float]:
        """Loss weight per record kind (kinds not listed weigh 1)."""
        ...

    def distillation(self, ctx: MethodContext) -> Distill | None:
        """The KL term on soft targets (`skintern.train.soft`), or None: cross-entropy only."""
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


def register(name: str, *, config: type[BaseModel] = NoSettings) -> Callable[[type[M]], type[M]]:
    """Class decorator: registers one instance of the class under `name` (`methods.get` returns
    a ready method), with `config` the model of its settings (`train.methods.NAME`)."""

    def add(cls: type[M]) -> type[M]:
        if Input.PASSAGES in getattr(cls, "inputs", ()) and not issubclass(config, PassageSettings):
            raise TypeError(f"method {name!r} reads passages: its settings need PassageSettings")
        reads_tokens = Input.TEACHER_TOKENS in getattr(cls, "inputs", ())
        if reads_tokens and not issubclass(config, SoftSettings):
            raise TypeError(f"method {name!r} reads teacher tokens: its settings need SoftSettings")
        cls.name = name  # type: ignore[attr-defined]
        cls.settings_model = config  # type: ignore[attr-defined]
        methods.register(name)(cls())
        return cls

    return add


class BaseMethod:
    """Defaults shared by the single-step, single-stage methods (inherit at most this level)."""

    name = ""
    settings_model: type[BaseModel] = NoSettings
    trains = True
    stages = 1
    inputs: frozenset[Input] = frozenset({Input.RATIONALES})

    def num_steps(self, ctx: MethodContext) -> int:
        return 1

    def loss_weights(self, ctx: MethodContext) -> dict[str, float]:
        return {}

    def distillation(self, ctx: MethodContext) -> Distill | None:
        return None

    def train_records(self, example: Example, ctx: MethodContext, step: int) -> list[TrainRecord]:
        return []

    def inference_prompt(
        self, example: Example, ctx: MethodContext, stage: int = 1, previous: str = ""
    ) -> str:
        return cot_prompt(example)


def settings_of(method: Method, ctx: MethodContext) -> Any:
    """The method's settings in `ctx`, or its defaults when the context carries none."""
    if isinstance(ctx.settings, method.settings_model):
        return ctx.settings
    return method.settings_model()


def description(example: Example) -> str:
    return str(example.meta.get("task_description", ""))


def cot_prompt(example: Example) -> str:
    """The plain CoT prompt, the question alone: Std-CoT at train and test time, SKIntern's last
    schedule step and its inference, and the prompt a scoring teacher reads
    (`teacher.rationales.score_with`): one function (`skintern.data.prompt`), so they match."""
    return question_prompt(example)


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


def step_rows(ctx: MethodContext, method: str) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """The curriculum's records (`Input.CURRICULUM`): step t -> Example id -> its rows at t."""
    if ctx.curriculum is None or not ctx.curriculum.rows:
        raise DataError(
            f"method {method!r} needs the curriculum stage's step records",
            hint="run `skintern curriculum` first",
        )
    return ctx.curriculum.rows


def rationale_records(example: Example, ctx: MethodContext, prompt: str) -> list[TrainRecord]:
    """One rationale record per kept teacher rationale of `example` (Eq. 4 averages over all)."""
    return [
        TrainRecord(example.id, prompt, cot_target(r.text, example), "rationale")
        for r in ctx.rationales.get(example.id, [])
    ]

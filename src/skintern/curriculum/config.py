"""The `curriculum` section of a run config (retrieval, compression, rendering) and the run's
`schedule` (T steps over E epochs), which the run config shares with every stage."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skintern.markers import run_wide
from skintern.models.names import DEFAULT_STUDENT, check_model_name
from skintern.registry import Registry


def _known(registry: Registry, name: str) -> str:
    from skintern.errors import ConfigError

    try:
        registry.get(name)
    except ConfigError as err:  # pydantic collects ValueErrors, so all problems show at once
        raise ValueError(err.message + (f" ({err.hint})" if err.hint else "")) from None
    return name


class ScheduleConfig(BaseModel):
    """The schedule of the whole run: T steps over E epochs, S_t falling from 1 to 0.

    Every stage reads this one section (top-level `schedule`): the curriculum renders one record
    file per step, SKIntern trains E_t epochs on step t, and a single-step method (Std-CoT, KARD,
    ...) trains all E epochs at once, so every trained method gets the same E.
    """

    model_config = ConfigDict(extra="forbid")

    steps: int = Field(
        default=4,
        ge=1,
        description="T, the schedule steps of a progressive method (SKIntern; at most E).",
    )
    epochs: int = Field(
        default=12,
        ge=1,
        description="E, epochs in all for every trained method; SKIntern: E // T per step, the "
        "first E mod T steps one more.",
    )
    decay: str = Field(
        default="linear",
        description="How S_t falls: linear, exponential, inverse-exponential, step or list.",
    )
    exp_lambda: float = Field(
        default=3.0, gt=0, description="Steepness lam of the (inverse-)exponential decays."
    )
    values: list[float] | None = Field(
        default=None, description="S_1..S_T for the `list` decay, each in [0, 1]."
    )
    step_epochs: list[int] | None = Field(
        default=None,
        description="E_1..E_T, the epochs of each step, summing to E (e.g. [2, 2, 2, 8]: a "
        "curriculum warm start, then question-only epochs); default: E spread evenly.",
    )

    @field_validator("decay")
    @classmethod
    def _decay(cls, name: str) -> str:
        from skintern.curriculum.schedule import schedules

        return _known(schedules, name)

    @field_validator("values")
    @classmethod
    def _in_unit(cls, values: list[float] | None) -> list[float] | None:
        for value in values or []:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"every S_t must be in [0, 1], got {value}")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleConfig:
        if self.decay == "list" and len(self.values or []) != self.steps:
            raise ValueError(
                f"the 'list' decay needs one value per step: steps = {self.steps}, "
                f"values has {len(self.values or [])}"
            )
        given = self.step_epochs
        if given is not None and (
            len(given) != self.steps or sum(given) != self.epochs or min(given) < 1
        ):
            raise ValueError(
                f"step_epochs {given} must give each of the steps = {self.steps} at least one "
                f"epoch and sum to epochs = {self.epochs}"
            )
        return self  # E >= T matters to progressive methods only: their stages check it


class CurriculumConfig(BaseModel):
    """What the student sees at each schedule step: S_t, kept examples, compressed knowledge."""

    model_config = ConfigDict(extra="forbid")

    student: str = Field(
        default=DEFAULT_STUDENT,
        description="The run's student; its tokenizer counts tokens for compression rates and "
        "length limits.",
        json_schema_extra=run_wide("student"),
    )
    schedule: ScheduleConfig = Field(
        default_factory=ScheduleConfig,
        description="The run's schedule: S_t and the epochs of each step.",
        json_schema_extra=run_wide("schedule"),
    )
    per_optimizer_step: bool = Field(
        default=False,
        description="Render `levels` + 1 grid values of S for S decaying with optimizer "
        "progress; `skintern train` does not train on such files yet (an error).",
    )
    levels: int = Field(
        default=12, ge=1, description="Grid of S values (1/levels apart) for per_optimizer_step."
    )
    k: int = Field(default=6, ge=0, description="K, the similar examples retrieved per example.")
    retriever: Literal["bm25", "dense"] = Field(
        default="bm25", description="bm25 (bm25s) or dense (all-MiniLM-L6-v2 cosine)."
    )
    same_task: bool = Field(default=True, description="Retrieve examples from the same task only.")
    near_duplicate: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Questions whose word sequences match at least this much are never shown "
        "with each other (difflib ratio).",
    )
    compressor: str = Field(
        default="selfinfo",
        description="Knowledge compressor: selfinfo, llmlingua2, random, truncate.",
    )
    compressor_model: str | None = Field(
        default=None, description="Causal LM scoring selfinfo (default: the student)."
    )
    llmlingua2_model: str | None = Field(
        default=None, description="Local LLMLingua-2 model folder for the llmlingua2 compressor."
    )
    ablation: Literal["none", "no-summary", "no-supplementary", "no-examples"] = Field(
        default="none",
        description="Drop the learning summary, supplementary knowledge or examples.",
    )
    max_prompt_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Prompt token limit; examples, then knowledge, are cut to fit (never the "
        "question or target).",
    )
    seed: int = Field(default=0, description="Seeds example sampling and the random compressor.")

    @field_validator("compressor")
    @classmethod
    def _compressor(cls, name: str) -> str:
        from skintern.curriculum.compressors import compressors

        return _known(compressors, name)

    @field_validator("student", "compressor_model")
    @classmethod
    def _model(cls, name: str | None) -> str | None:
        return name if name is None else check_model_name(name)

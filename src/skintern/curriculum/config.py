"""The `curriculum` section of a run config (schedule, retrieval, compression, rendering)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skintern.registry import Registry


def _known(registry: Registry, name: str) -> str:
    from skintern.errors import ConfigError

    try:
        registry.get(name)
    except ConfigError as err:  # pydantic collects ValueErrors, so all problems show at once
        raise ValueError(err.message + (f" ({err.hint})" if err.hint else "")) from None
    return name


class CurriculumConfig(BaseModel):
    """What the student sees at each schedule step: S_t, kept examples, compressed knowledge."""

    model_config = ConfigDict(extra="forbid")

    student: str = Field(
        default="smollm2-135m",
        description="Student model (alias or path); its tokenizer counts tokens for compression "
        "rates and length limits.",
    )
    schedule: str = Field(
        default="linear",
        description="Decay schedule S_t: linear, exponential, inverse-exponential, step or list.",
    )
    steps: int = Field(default=4, ge=1, description="T, the number of schedule steps.")
    epochs: int = Field(
        default=12, ge=1, description="E, epochs in all; E // T per step, the first E mod T +1."
    )
    exp_lambda: float = Field(
        default=3.0, gt=0, description="Steepness lam of the (inverse-)exponential schedules."
    )
    values: list[float] | None = Field(
        default=None, description="S_1..S_T for the 'list' schedule, each in [0, 1]."
    )
    per_optimizer_step: bool = Field(
        default=False,
        description="Let S decay with optimizer progress, rendering `levels` + 1 grid values.",
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

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, name: str) -> str:
        from skintern.curriculum.schedule import schedules

        return _known(schedules, name)

    @field_validator("compressor")
    @classmethod
    def _compressor(cls, name: str) -> str:
        from skintern.curriculum.compressors import compressors

        return _known(compressors, name)

    @field_validator("values")
    @classmethod
    def _in_unit(cls, values: list[float] | None) -> list[float] | None:
        for value in values or []:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"every S_t must be in [0, 1], got {value}")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> CurriculumConfig:
        if self.schedule == "list" and len(self.values or []) != self.steps:
            raise ValueError(
                f"the 'list' schedule needs one value per step: steps = {self.steps}, "
                f"values has {len(self.values or [])}"
            )
        if self.epochs < self.steps:
            raise ValueError(f"epochs ({self.epochs}) must be at least steps ({self.steps})")
        return self

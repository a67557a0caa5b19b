"""`RunConfig`: every stage's section in one validated model (`extra="forbid"` everywhere).

The run contract: the student and the schedule are said once, at the top level, and copied into
the sections whose stages read them (fields marked `skintern.markers.run_wide`), so every stage
sees the same values; a config of the older shape has its keys moved (`skintern.config.legacy`).
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skintern.config import legacy
from skintern.curriculum.config import CurriculumConfig, ScheduleConfig
from skintern.data.config import DataConfig
from skintern.eval.config import EvalConfig
from skintern.markers import run_wide_fields
from skintern.models.names import DEFAULT_STUDENT, check_model_name
from skintern.teacher.config import TeacherConfig
from skintern.train.config import TrainConfig

SECTIONS = ("data", "teacher", "curriculum", "train", "eval")


class RunConfig(BaseModel):
    """A whole run: data -> teacher -> curriculum -> train -> eval -> report."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        default="run", description="Run name; the default run directory is runs/NAME."
    )
    student: str = Field(
        default=DEFAULT_STUDENT,
        description="The student, for every stage: its tokenizer counts the curriculum's tokens, "
        "it is fine-tuned and evaluated. An alias (smollm2-135m, gemma3-270m, tiny-random), a "
        "hub id (org/name) or a local folder.",
    )
    schedule: ScheduleConfig = Field(
        default_factory=ScheduleConfig,
        description="T steps over E epochs, for every stage and every trained method.",
    )
    data: DataConfig = Field(default_factory=DataConfig, description="Datasets and splits.")
    teacher: TeacherConfig = Field(
        default_factory=TeacherConfig, description="Teacher rationales and knowledge."
    )
    curriculum: CurriculumConfig = Field(
        default_factory=CurriculumConfig, description="Retrieval, compression, rendering."
    )
    train: TrainConfig = Field(
        default_factory=TrainConfig, description="Student fine-tuning: method, LoRA, optimisation."
    )
    eval: EvalConfig = Field(
        default_factory=EvalConfig, description="Generation, scoring and inference cost."
    )

    @classmethod
    def upgrade(cls, data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Old keys moved to their place, and one line per disagreement (`config.legacy`)."""
        return legacy.upgrade(data)

    @model_validator(mode="before")
    @classmethod
    def _old_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data, problems = legacy.upgrade(data)
        if problems:
            raise ValueError("\n".join(problems))
        return data

    @field_validator("student")
    @classmethod
    def _student(cls, name: str) -> str:
        return check_model_name(name)

    @model_validator(mode="after")
    def _share(self) -> Self:
        """Copy the run-wide settings into every section that reads them."""
        for name in SECTIONS:
            section = getattr(self, name)
            update = {
                field: self._value_of(key) for field, key in run_wide_fields(type(section)).items()
            }
            if update:
                setattr(self, name, section.model_copy(update=update))
        return self

    def _value_of(self, key: str) -> Any:
        value: Any = self
        for part in key.split("."):
            value = getattr(value, part)
        return value


def copied_fields() -> dict[str, set[str]]:
    """Section -> its fields copied from the run-wide settings (left out of a dumped config)."""
    found = {}
    for name in SECTIONS:
        fields = run_wide_fields(RunConfig.model_fields[name].annotation)
        if fields:
            found[name] = set(fields)
    return found

"""`RunConfig`: every stage's section in one validated model (`extra="forbid"` everywhere)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skintern.curriculum.config import CurriculumConfig
from skintern.data.config import DataConfig
from skintern.eval.config import EvalConfig
from skintern.teacher.config import TeacherConfig
from skintern.train.config import TrainConfig


class RunConfig(BaseModel):
    """A whole run: data -> teacher -> curriculum -> train -> eval -> report."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        default="run", description="Run name; the default run directory is runs/NAME."
    )
    data: DataConfig = Field(default_factory=DataConfig, description="Datasets and splits.")
    teacher: TeacherConfig = Field(
        default_factory=TeacherConfig, description="Teacher rationales and knowledge."
    )
    curriculum: CurriculumConfig = Field(
        default_factory=CurriculumConfig, description="Schedule, retrieval, compression, rendering."
    )
    train: TrainConfig = Field(
        default_factory=TrainConfig, description="Student fine-tuning: method, LoRA, optimisation."
    )
    eval: EvalConfig = Field(
        default_factory=EvalConfig, description="Generation, scoring and inference cost."
    )

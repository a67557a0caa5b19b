"""`RunConfig`: every stage's section in one validated model (`extra="forbid"` everywhere)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skintern.data.config import DataConfig


class RunConfig(BaseModel):
    """A whole run: data -> teacher -> curriculum -> train -> eval -> report."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        default="run", description="Run name; the default run directory is runs/NAME."
    )
    data: DataConfig = Field(default_factory=DataConfig, description="Datasets and splits.")

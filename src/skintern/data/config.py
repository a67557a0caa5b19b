"""The `data` section of a run config: which datasets, splits and tasks a run uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DatasetSpec(BaseModel):
    """One dataset in a run."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Registered dataset name, e.g. bbh, gsm8k, arc-e.")
    tasks: list[str] | None = Field(
        default=None, description="Subtasks to keep (BBH tasks, AGIEval subsets); all if unset."
    )
    limit: int | None = Field(
        default=None, ge=1, description="Keep at most this many examples per task and split."
    )

    @field_validator("name")
    @classmethod
    def _known(cls, name: str) -> str:
        from skintern.data.registry import datasets
        from skintern.errors import ConfigError

        try:
            datasets.get(name)
        except ConfigError as err:  # pydantic collects ValueErrors, so all problems show at once
            raise ValueError(err.message + (f" ({err.hint})" if err.hint else "")) from None
        return name


class DataConfig(BaseModel):
    """Datasets to train on (their train split) and to evaluate on (their test split)."""

    model_config = ConfigDict(extra="forbid")

    data_dir: str | None = Field(
        default=None,
        description="Data root laid out like shared/data; default $SKINTERN_DATA_DIR, "
        "else ../shared/data beside the checkout.",
    )
    seed: int = Field(default=0, description="Seed of the deterministic train/test split.")
    train: list[DatasetSpec] = Field(default_factory=list, description="In-domain training sets.")
    test: list[DatasetSpec] = Field(
        default_factory=list, description="Evaluation sets (in- and out-of-domain)."
    )

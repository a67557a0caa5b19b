"""The `data` section of a run config: which datasets, splits and tasks a run uses."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skintern.data.example import AnswerType

_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class DatasetSpec(BaseModel):
    """One dataset in a run."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="Registered dataset name, e.g. bbh, gsm8k, arc-e; with `path`, any name for "
        "the user file (used in example ids and output file names)."
    )
    tasks: list[str] | None = Field(
        default=None, description="Subtasks to keep (BBH tasks, AGIEval subsets); all if unset."
    )
    limit: int | None = Field(
        default=None, ge=1, description="Keep at most this many examples per task and split."
    )
    sample: int | None = Field(
        default=None,
        ge=1,
        description="Keep a random sample of this many examples per task and split, seeded by "
        "`data.seed` (file order kept); unlike `limit`, not just the first ones.",
    )

    split: Literal["train"] | None = Field(
        default=None,
        description="On a `data.test` entry: evaluate on this dataset's train split instead, less "
        "every question the run trains on (a validation slice for picking hyperparameters, "
        "never the test split); with `sample` or `limit` applied after that exclusion.",
    )

    path: str | None = Field(
        default=None,
        description="A user .jsonl or .csv file to load instead of a registered dataset "
        "(relative to the working directory).",
    )
    fields: dict[str, str] | None = Field(
        default=None,
        description="With `path`: canonical field -> column in the file, e.g. {question: prompt, "
        "answer: label, options: choices}; keys question, answer, options, passage, rationale, "
        "id, task (unmapped ones are read under their own name).",
    )
    answer_type: AnswerType | None = Field(
        default=None,
        description="With `path`: the answer type of every row (option, number, yes_no, "
        "true_false, valid_invalid, free_text); inferred per row when unset.",
    )
    seeded_split: bool = Field(
        default=False,
        description="With `path`: split the file 80/20 by `data.seed` and keep this list's part, "
        "instead of using the whole file.",
    )

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.path is not None:
            return self._check_user_file()
        only_with_path = [key for key in ("fields", "answer_type") if getattr(self, key)]
        only_with_path += ["seeded_split"] if self.seeded_split else []
        if only_with_path:
            raise ValueError(f"{', '.join(only_with_path)} only apply to a user file; set `path`")
        from skintern.data.registry import datasets
        from skintern.errors import ConfigError

        try:
            datasets.get(self.name)
        except ConfigError as err:  # pydantic reports ValueErrors with the key path
            raise ValueError(err.message + (f" ({err.hint})" if err.hint else "")) from None
        return self

    def _check_user_file(self) -> Self:
        from skintern.data.loaders.files import CANONICAL

        if not _FILE_NAME.fullmatch(self.name):
            raise ValueError(f"name {self.name!r} of a user file must be letters, digits, . _ -")
        unknown = sorted(set(self.fields or {}) - set(CANONICAL))
        if unknown:
            raise ValueError(f"unknown fields keys {unknown}; known: {', '.join(CANONICAL)}")
        return self


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

    @model_validator(mode="after")
    def _split_on_test_only(self) -> Self:
        if any(spec.split for spec in self.train):
            raise ValueError("`split` applies to data.test entries only (a validation slice)")
        return self

    @model_validator(mode="after")
    def _distinct_names(self) -> Self:
        for split in ("train", "test"):
            names = [spec.name for spec in getattr(self, split)]
            twice = sorted({name for name in names if names.count(name) > 1})
            if twice:
                raise ValueError(
                    f"data.{split} names {', '.join(twice)} more than once; each dataset of a "
                    "split is one file RUN/data/SPLIT/NAME.jsonl, so give each a distinct name"
                )
        return self

"""Marks on config fields, read by whoever needs the list, so that no list is kept by hand.

- `NEUTRAL`: the setting changes no artifact (a progress bar, checkpoint cadence): a stage run
  under another value is current, a checkpoint made under another value resumes.
- `RESUME_NEUTRAL`: the setting changes what a stage writes but not the weights training reaches
  (`train.merge` also writes a merged copy): a checkpoint made under another value resumes, but
  the stage is not current.
- `run_wide(key)`: the field is a stage's copy of the run-wide setting `key` (`student`,
  `schedule`); the run config sets it and refuses a stage value that disagrees.

    progress: bool = Field(default=True, description="...", json_schema_extra=NEUTRAL)
    neutral_fields(TrainConfig)            # {"progress", ...}
"""

from __future__ import annotations

from typing import Any

NEUTRAL: dict[str, Any] = {"neutral": "result"}
RESUME_NEUTRAL: dict[str, Any] = {"neutral": "resume"}


def run_wide(key: str) -> dict[str, Any]:
    """The mark of a stage field copied from the run-wide setting `key`."""
    return {"run_wide": key}


def _extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def neutral_fields(model: type[Any], *, resume: bool = False) -> frozenset[str]:
    """Fields of a pydantic model marked `NEUTRAL`; with `resume`, also `RESUME_NEUTRAL` ones."""
    kinds = {"result", "resume"} if resume else {"result"}
    return frozenset(
        name for name, field in model.model_fields.items() if _extra(field).get("neutral") in kinds
    )


def run_wide_fields(model: type[Any]) -> dict[str, str]:
    """Field name -> the run-wide key it copies, for every `run_wide` field of a pydantic model."""
    found = {}
    for name, field in model.model_fields.items():
        key = _extra(field).get("run_wide")
        if key:
            found[name] = key
    return found

"""`RUN/curriculum/manifest.json`, typed: the schedule the step files were rendered for, and the
files themselves, which readers take from here (never by globbing the folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from skintern.curriculum.config import ScheduleConfig
from skintern.errors import DataError
from skintern.files import read_jsonl_lines
from skintern.rundir import read_manifest

STAGE = "curriculum"
HINT = "run `skintern curriculum` (or `skintern run`) for this run directory"


class CurriculumStep(BaseModel):
    """One schedule step's record file and what it holds (the counts are for reports)."""

    model_config = ConfigDict(extra="forbid")

    step: int  # t, 1-based
    S_t: float
    K_t: int
    epochs: int | None  # None for per-optimizer-step grid files
    file: str  # relative to RUN/curriculum
    records: int
    knowledge_ratio_mean: float | None = None
    examples_min: int = 0
    examples_max: int = 0
    examples_mean: float = 0.0
    missing_knowledge: int = 0
    knowledge_tokens_cut: int = 0
    examples_cut: int = 0
    over_limit: int = 0


class CurriculumManifest(BaseModel):
    """What `skintern curriculum` wrote: for which student and schedule, and which files."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["curriculum"]
    student: str
    schedule: ScheduleConfig
    mode: Literal["epoch-blocks", "optimizer-step"]
    steps: list[CurriculumStep]
    config: dict[str, Any] = {}
    inputs: dict[str, str] = {}
    compressor: dict[str, str] = {}
    examples: int = 0
    no_rationale: int = 0
    cache: dict[str, int] = {}
    seconds: float = 0.0
    versions: dict[str, str] = {}

    def changes(self, student: str, schedule: ScheduleConfig) -> list[str]:
        """How `student` and `schedule` differ from what these files were rendered for."""
        changed = []
        if self.student != student:
            changed.append(f"student {self.student!r} -> {student!r}")
        old, new = self.schedule.model_dump(), schedule.model_dump()
        changed += [f"schedule.{k} {old[k]!r} -> {new[k]!r}" for k in old if old[k] != new[k]]
        return changed


def read_curriculum(run_dir: Path) -> CurriculumManifest:
    return read_manifest(Path(run_dir) / STAGE / "manifest.json", CurriculumManifest, hint=HINT)


def read_step_rows(run_dir: Path, step: CurriculumStep) -> list[dict[str, Any]]:
    """The records of one listed step, each checked to hold a prompt and a target."""
    path = Path(run_dir) / STAGE / step.file
    rows = []
    for lineno, row in read_jsonl_lines(path):
        if "prompt" not in row or "target" not in row:
            raise DataError("curriculum row lacks prompt or target", where=f"{path}:{lineno}")
        rows.append(row)
    return rows


def check_rendered_for(run_dir: Path, student: str, schedule: ScheduleConfig) -> None:
    """Raise a `DataError` unless the run's curriculum was rendered for `student` and
    `schedule` (a stale one would be trained on silently)."""
    changed = read_curriculum(run_dir).changes(student, schedule)
    if changed:
        raise DataError(
            "the curriculum here was rendered for another config (" + "; ".join(changed) + ")",
            where=str(Path(run_dir) / STAGE / "manifest.json"),
            hint="rerun `skintern curriculum` with this config (or use `skintern run`)",
        )

"""The stages of `skintern run`, in order, each with what decides its outputs and what it writes.

A `Stage` names the files it reads (its key includes their fingerprints) and writes (checked to be
unchanged before it is skipped), and a `run(fresh)` that calls the stage's own `run`; `fresh` is
True when the stage last started on other inputs, so leftovers of that work must not be resumed.
Each stage's own resume logic is used as it is: the teacher's request cache, the curriculum's
unchanged-inputs check, training checkpoints, eval's appended predictions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skintern.config import RunConfig
from skintern.eval.config import EvalConfig
from skintern.markers import neutral_fields
from skintern.pipeline.ledger import fingerprints, key_of
from skintern.rundir import fingerprint
from skintern.teacher.config import TeacherConfig
from skintern.train.config import TrainConfig

Log = Callable[[str], None]
# Keys that change no artifact (progress display, checkpoint cadence, batch size of generation),
# read from the marks on the fields (`skintern.markers.NEUTRAL`).
_TRAIN_NEUTRAL = neutral_fields(TrainConfig)
_EVAL_NEUTRAL = neutral_fields(EvalConfig)
_TEACHER_NEUTRAL = neutral_fields(TeacherConfig)
_TEACHER_FILES = ("teacher/rationales.jsonl", "teacher/knowledge.jsonl")
_LOGPROBS = "teacher/logprobs.jsonl"


def data_files(run_dir: Path, splits: tuple[str, ...]) -> dict[str, str]:
    """Relative path -> fingerprint of the split files the data manifest lists (none before the
    data stage ran): what a stage reading those splits depends on, and nothing left over."""
    from skintern.data.manifest import data_dir, read_data_manifest
    from skintern.errors import DataError

    try:
        listed = read_data_manifest(run_dir).files
    except DataError:  # not run yet, or unreadable: the data stage runs first and says so
        return {}
    paths = [data_dir(run_dir) / f.file for split in splits for f in listed.get(split, [])]
    return {str(p.relative_to(run_dir)): fingerprint(p) for p in paths if p.is_file()}


@dataclass
class Stage:
    """One step of the pipeline."""

    name: str
    config: Any
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[bool], dict[str, Any]]
    splits: tuple[str, ...] = ()
    """The data splits it reads (the files the data manifest lists are part of its key)."""
    extra: Callable[[], dict[str, Any]] = field(default=lambda: {})
    """What to record when the stage starts, beside its key."""
    prepare: Callable[[dict[str, Any], dict[str, Any]], None] = field(default=lambda old, new: None)
    """Called with the `extra` recorded at the last start and the new one, before a rerun."""

    def key(self, run_dir: Path) -> str:
        inputs = {**fingerprints(run_dir, self.inputs), **data_files(run_dir, self.splits)}
        return key_of(self.config, inputs)


@dataclass(frozen=True)
class Hooks:
    """Callbacks for tests and progress: after a stage, after each training step."""

    after_stage: Callable[[str], None] | None = None
    on_train_step: Callable[[str, int], None] | None = None


def needs(cfg: RunConfig) -> tuple[list[str], bool]:
    """(the methods in `eval.methods` that train, whether one needs the curriculum)."""
    from skintern.train.methods import Input, methods

    chosen = [methods.get(name) for name in dict.fromkeys(cfg.eval.methods)]
    trained = [m.name for m in chosen if m.trains and m.name not in cfg.eval.checkpoints]
    curriculum = any(Input.CURRICULUM in methods.get(name).inputs for name in trained)
    return trained, curriculum


def _user_files(cfg: RunConfig) -> dict[str, str]:
    specs = [*cfg.data.train, *cfg.data.test]
    paths = sorted({spec.path for spec in specs if spec.path and Path(spec.path).is_file()})
    return {path: fingerprint(path) for path in paths}


def data_stage(cfg: RunConfig, run_dir: Path) -> Stage:
    from skintern.data import stage

    config = {"data": cfg.data.model_dump(mode="json"), "files": _user_files(cfg)}
    outputs = ("data/*/*.jsonl", "data/manifest.json")
    return Stage("data", config, (), outputs, lambda fresh: stage.run(cfg.data, run_dir))


def teacher_stage(cfg: RunConfig, run_dir: Path) -> Stage:
    from skintern.teacher import stage

    config = {
        "teacher": cfg.teacher.model_dump(mode="json", exclude=set(_TEACHER_NEUTRAL)),
        "data_dir": cfg.data.data_dir,
    }
    return Stage(
        "teach",
        config,
        (),
        (*_TEACHER_FILES, _LOGPROBS, "teacher/manifest.json"),
        lambda fresh: stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir),
        splits=("train",),
    )


def curriculum_stage(cfg: RunConfig, run_dir: Path) -> Stage:
    from skintern.curriculum import stage

    return Stage(
        "curriculum",
        cfg.curriculum.model_dump(mode="json"),
        _TEACHER_FILES,
        ("curriculum/step-*.jsonl", "curriculum/neighbors.jsonl", "curriculum/manifest.json"),
        lambda fresh: stage.run(cfg.curriculum, run_dir),
        splits=("train", "test"),
    )


def train_stage(cfg: RunConfig, run_dir: Path, method: str, hooks: Hooks, log: Log) -> Stage:
    from skintern.train.methods import Input, methods

    train_cfg = cfg.train.for_method(method)
    inputs: tuple[str, ...] = _TEACHER_FILES
    if Input.TEACHER_TOKENS in methods.get(method).inputs:  # new soft targets: train again
        inputs += (_LOGPROBS,)
    if Input.CURRICULUM in methods.get(method).inputs:
        inputs += ("curriculum/step-*.jsonl", "curriculum/manifest.json")
    folder = f"train/{method}"

    def run(fresh: bool) -> dict[str, Any]:
        from skintern.train import stage

        chosen = train_cfg
        if fresh and (run_dir / folder / "checkpoints").is_dir():
            log(f"train {method}: its inputs changed since the last run; training from the start")
            chosen = train_cfg.model_copy(update={"resume": False})
        on_step = None
        if hooks.on_train_step is not None:
            callback = hooks.on_train_step
            on_step = lambda n: callback(method, n)  # noqa: E731
        return stage.run(chosen, run_dir, data_dir=cfg.data.data_dir, on_step=on_step, warn=log)

    config = {
        "train": train_cfg.model_dump(mode="json", exclude=set(_TRAIN_NEUTRAL)),
        "data_dir": cfg.data.data_dir,
    }
    outputs = (f"{folder}/adapter/*", f"{folder}/model/*", f"{folder}/manifest.json")
    return Stage(f"train {method}", config, inputs, outputs, run, splits=("train",))


def _eval_settings(cfg: RunConfig, method: str | None = None) -> dict[str, Any]:
    """What decides the predictions of `method` (of every method when None): the eval section
    but the list of methods and neutral keys, and the methods' own settings."""
    settings = cfg.train.methods.model_dump(mode="json")
    return {
        "eval": cfg.eval.model_dump(mode="json", exclude={"methods", *_EVAL_NEUTRAL}),
        "settings": settings if method is None else settings[method],
    }


def _method_files(cfg: RunConfig, method: str) -> tuple[str, ...]:
    if method in cfg.eval.checkpoints:
        return ()
    return (f"train/{method}/adapter/*", f"train/{method}/model/*")


def eval_stage(cfg: RunConfig, run_dir: Path, log: Log) -> Stage:
    shared = _TEACHER_FILES
    inputs = shared + tuple(f for m in cfg.eval.methods for f in _method_files(cfg, m))
    splits = ("train", "test")

    def method_keys() -> dict[str, str]:
        """Per method, a key of everything its predictions depend on."""
        keys = {}
        for m in dict.fromkeys(cfg.eval.methods):
            files = {
                **fingerprints(run_dir, shared + _method_files(cfg, m)),
                **data_files(run_dir, splits),
            }
            keys[m] = key_of(_eval_settings(cfg, m), files)
        return keys

    def run(fresh: bool) -> dict[str, Any]:
        from skintern.eval import stage

        return stage.run(cfg.eval, run_dir, cfg.train.methods, log=log)

    config = {**_eval_settings(cfg), "methods": cfg.eval.methods}
    outputs = ("eval/manifest.json", "eval/*/metrics.json", "eval/*/*/metrics.json")

    def drop_stale(before: dict[str, Any], now: dict[str, Any]) -> None:
        """Remove predictions made for another model or settings (eval would extend them)."""
        for method, key in now.items():
            old, folder = before.get(method), run_dir / "eval" / method
            if old is not None and old != key and folder.is_dir():
                log(f"eval {method}: model or settings changed since its predictions; redoing them")
                shutil.rmtree(folder)

    return Stage(
        "eval", config, inputs, outputs, run, splits, extra=method_keys, prepare=drop_stale
    )


def report_stage(run_dir: Path) -> Stage:
    from skintern.report import stage

    return Stage(
        "report",
        {},
        ("eval/manifest.json", "eval/*/metrics.json", "train/*/train_log.jsonl"),
        ("report.md", "report.json"),
        lambda fresh: {"written": [str(p) for p in stage.run([run_dir])]},
    )


def plan(cfg: RunConfig, run_dir: Path, hooks: Hooks, log: Log) -> list[Stage]:
    """The stages this config needs, in order."""
    trained, curriculum = needs(cfg)
    stages = [data_stage(cfg, run_dir)]
    if trained:
        stages.append(teacher_stage(cfg, run_dir))
    if curriculum:
        stages.append(curriculum_stage(cfg, run_dir))
    stages += [train_stage(cfg, run_dir, m, hooks, log) for m in trained]
    stages += [eval_stage(cfg, run_dir, log), report_stage(run_dir)]
    return stages

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
from skintern.pipeline.ledger import fingerprints, key_of
from skintern.rundir import fingerprint

Log = Callable[[str], None]
# Train keys that do not change what is trained (progress display, checkpoint cadence).
_TRAIN_NEUTRAL = {"progress", "log_backend", "checkpoint_every", "keep_checkpoints", "resume"}
_TEACHER_FILES = ("teacher/rationales.jsonl", "teacher/knowledge.jsonl")


@dataclass
class Stage:
    """One step of the pipeline."""

    name: str
    config: Any
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[bool], dict[str, Any]]
    extra: Callable[[], dict[str, Any]] = field(default=lambda: {})
    """What to record when the stage starts, beside its key."""
    prepare: Callable[[dict[str, Any], dict[str, Any]], None] = field(default=lambda old, new: None)
    """Called with the `extra` recorded at the last start and the new one, before a rerun."""

    def key(self, run_dir: Path) -> str:
        return key_of(self.config, fingerprints(run_dir, self.inputs))


@dataclass(frozen=True)
class Hooks:
    """Callbacks for tests and progress: after a stage, after each training step."""

    after_stage: Callable[[str], None] | None = None
    on_train_step: Callable[[str, int], None] | None = None


def needs(cfg: RunConfig) -> tuple[list[str], bool]:
    """(the methods in `eval.methods` that train, whether one needs the curriculum)."""
    from skintern.train.methods import methods

    chosen = [methods.get(name) for name in dict.fromkeys(cfg.eval.methods)]
    trained = [m.name for m in chosen if m.trains and m.name not in cfg.eval.checkpoints]
    curriculum = any(methods.get(name).needs_curriculum for name in trained)
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
        "teacher": cfg.teacher.model_dump(mode="json", exclude={"progress"}),
        "data_dir": cfg.data.data_dir,
    }
    return Stage(
        "teach",
        config,
        ("data/train/*.jsonl",),
        (*_TEACHER_FILES, "teacher/manifest.json"),
        lambda fresh: stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir),
    )


def curriculum_stage(cfg: RunConfig, run_dir: Path) -> Stage:
    from skintern.curriculum import stage

    return Stage(
        "curriculum",
        cfg.curriculum.model_dump(mode="json"),
        ("data/*/*.jsonl", *_TEACHER_FILES),
        ("curriculum/step-*.jsonl", "curriculum/neighbors.jsonl", "curriculum/manifest.json"),
        lambda fresh: stage.run(cfg.curriculum, run_dir),
    )


def train_stage(cfg: RunConfig, run_dir: Path, method: str, hooks: Hooks, log: Log) -> Stage:
    from skintern.train.methods import methods

    train_cfg = cfg.train.model_copy(update={"method": method})
    inputs: tuple[str, ...] = ("data/train/*.jsonl", *_TEACHER_FILES)
    if methods.get(method).needs_curriculum:
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
        "train": train_cfg.model_dump(mode="json", exclude=_TRAIN_NEUTRAL),
        "data_dir": cfg.data.data_dir,
    }
    outputs = (f"{folder}/adapter/*", f"{folder}/model/*", f"{folder}/manifest.json")
    return Stage(f"train {method}", config, inputs, outputs, run)


def _eval_settings(cfg: RunConfig) -> dict[str, Any]:
    """What decides the predictions of any one method (not the list of methods, not threads)."""
    return {
        "eval": cfg.eval.model_dump(mode="json", exclude={"methods", "threads", "batch_size"}),
        "train": cfg.train.model_dump(mode="json", exclude={*_TRAIN_NEUTRAL, "method"}),
    }


def _method_files(cfg: RunConfig, method: str) -> tuple[str, ...]:
    if method in cfg.eval.checkpoints:
        return ()
    return (f"train/{method}/adapter/*", f"train/{method}/model/*")


def eval_stage(cfg: RunConfig, run_dir: Path, log: Log) -> Stage:
    shared = ("data/*/*.jsonl", *_TEACHER_FILES)
    inputs = shared + tuple(f for m in cfg.eval.methods for f in _method_files(cfg, m))

    def method_keys() -> dict[str, str]:
        """Per method, a key of everything its predictions depend on."""
        return {
            m: key_of(_eval_settings(cfg), fingerprints(run_dir, shared + _method_files(cfg, m)))
            for m in dict.fromkeys(cfg.eval.methods)
        }

    def run(fresh: bool) -> dict[str, Any]:
        from skintern.eval import stage

        return stage.run(cfg.eval, run_dir, cfg.train, log=log)

    config = {**_eval_settings(cfg), "methods": cfg.eval.methods}
    outputs = ("eval/manifest.json", "eval/*/metrics.json", "eval/*/*/metrics.json")

    def drop_stale(before: dict[str, Any], now: dict[str, Any]) -> None:
        """Remove predictions made for another model or settings (eval would extend them)."""
        for method, key in now.items():
            old, folder = before.get(method), run_dir / "eval" / method
            if old is not None and old != key and folder.is_dir():
                log(f"eval {method}: model or settings changed since its predictions; redoing them")
                shutil.rmtree(folder)

    return Stage("eval", config, inputs, outputs, run, extra=method_keys, prepare=drop_stale)


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

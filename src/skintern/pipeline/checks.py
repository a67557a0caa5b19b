"""What `skintern run` checks before any stage runs: every problem at once, one line each.

A config naming a missing data file, an unknown method or an unreachable teacher fails here,
before anything is written, instead of minutes into the run.
"""

from __future__ import annotations

from pathlib import Path

from skintern.config import RunConfig
from skintern.errors import ConfigError, SkinternError
from skintern.paths import data_root


def _message(err: SkinternError) -> str:
    where = f"{err.where}: " if err.where else ""
    hint = f" (hint: {err.hint})" if err.hint else ""
    return f"{where}{err.message}{hint}"


def method_problems(cfg: RunConfig) -> list[str]:
    """Unknown names in `eval.methods` and `eval.reference.method`."""
    from skintern.train.methods import methods

    problems = []
    named = [(f"eval.methods[{i}]", m) for i, m in enumerate(cfg.eval.methods)]
    named.append(("eval.reference.method", cfg.eval.reference.method))
    for key, name in named:
        try:
            methods.get(name)
        except SkinternError as err:
            problems.append(f"{key}: {_message(err)}")
    if not cfg.eval.methods:
        problems.append("eval.methods: empty; name at least one method (skintern train methods)")
    return problems


def data_problems(cfg: RunConfig) -> list[str]:
    """Datasets that cannot be loaded (a missing user file, an absent data root, no examples)."""
    from skintern.data.stage import load_spec

    problems = []
    for split, specs in (("train", cfg.data.train), ("test", cfg.data.test)):
        for i, spec in enumerate(specs):
            key = f"data.{split}[{i}] ({spec.name})"
            if spec.path is not None and not Path(spec.path).is_file():
                problems.append(f"{key}: data file not found: {spec.path}")
                continue
            try:
                load_spec(spec, split, cfg.data)
            except SkinternError as err:
                problems.append(f"{key}: {_message(err)}")
    if not cfg.data.test:
        problems.append("data.test: no test dataset; the eval stage needs one")
    return problems


def _root(cfg: RunConfig) -> Path | None:
    try:
        return data_root(cfg.data.data_dir)
    except SkinternError:
        return None


def teacher_problems(cfg: RunConfig) -> list[str]:
    """A teacher that cannot run: no model name, missing replay/bank files, server unreachable."""
    from skintern.teacher.backends import backends
    from skintern.teacher.backends.replay import resolve_path
    from skintern.teacher.config import check_runnable

    teacher = cfg.teacher
    try:
        check_runnable(teacher)
    except SkinternError as err:
        return [f"teacher: {_message(err)}"]
    root = _root(cfg)
    problems = []
    bank = teacher.knowledge.bank if teacher.knowledge.source == "bank" else None
    replayed = teacher.replay.rationales if teacher.backend == "replay" else None
    files = {
        "teacher.knowledge.bank": bank,
        "teacher.knowledge.demonstrations": teacher.knowledge.demonstrations,
        "teacher.replay.rationales": replayed,
    }
    for key, value in files.items():
        if value and not resolve_path(value, root).exists():
            problems.append(f"{key}: not found: {resolve_path(value, root)}")
    if teacher.backend == "openai-http":
        backend = backends.get(teacher.backend)(teacher, root)
        try:
            backend.check()
        except SkinternError as err:
            problems.append(f"teacher: {_message(err)}")
        finally:
            backend.close()
    elif teacher.backend in ("transformers", "vllm"):
        problems += model_problems(teacher.model, "teacher.model")
    return problems


def model_problems(name: str, key: str) -> list[str]:
    """A model alias, folder or hub id that cannot be found."""
    from skintern.models import resolve

    try:
        resolve(name)
    except SkinternError as err:
        return [f"{key}: {_message(err)}"]
    return []


def student_problems(cfg: RunConfig, trains: bool) -> list[str]:
    """The student model, KARD's corpus and `eval.checkpoints` folders."""
    problems = model_problems(cfg.train.model, "train.model") if trains else []
    if cfg.eval.model and cfg.eval.model != cfg.train.model:
        problems += model_problems(cfg.eval.model, "eval.model")
    if cfg.train.kard_corpus and not Path(cfg.train.kard_corpus).is_file():
        problems.append(f"train.kard_corpus: file not found: {cfg.train.kard_corpus}")
    for method, folder in cfg.eval.checkpoints.items():
        if not Path(folder).is_dir():
            problems.append(f"eval.checkpoints.{method}: folder not found: {folder}")
    return problems


def check(cfg: RunConfig, *, data: bool = True, teacher: bool = True, trains: bool = True) -> None:
    """Raise one `ConfigError` listing every problem (one per line), or return quietly.

    `data` and `teacher` say whether those stages will run (a current stage is not re-checked:
    a teacher server need not be up to evaluate a finished run).
    """
    problems = method_problems(cfg)
    if data:
        problems += data_problems(cfg)
    if teacher:
        problems += teacher_problems(cfg)
    problems += student_problems(cfg, trains)
    if problems:
        raise ConfigError(
            f"{len(problems)} problem(s) in the config; nothing was run:\n" + "\n".join(problems),
            hint="fix the keys named above and run the same command again",
        )

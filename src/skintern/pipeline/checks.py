"""What `skintern run` checks before any stage runs: every problem at once, one line each.

Names (methods, datasets, compressors, model aliases) and cross-field agreement are checked when
the config is loaded (`skintern.config`). What needs the disk or the network, and what `skintern
run` would do otherwise than the config says, is checked here: a missing data file, an
unreachable teacher or a student that cannot be found fails before anything is written, instead
of minutes into the run.
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


def run_problems(cfg: RunConfig) -> list[str]:
    """What `skintern run` would do otherwise than the config says (names are checked when the
    config is loaded): a `train.method` it would not train, a curriculum it cannot train on."""
    from skintern.train.methods import Input, methods

    problems = []
    listed = ", ".join(cfg.eval.methods)
    if "method" in cfg.train.model_fields_set and cfg.train.method not in cfg.eval.methods:
        problems.append(
            f"train.method: {cfg.train.method!r} is the method `skintern train` trains; "
            f"`skintern run` trains and evaluates every method in eval.methods ({listed}) and "
            f"nothing else: add it there (eval.methods=[{listed}, {cfg.train.method}]) or drop "
            "train.method"
        )
    problems += soft_target_problems(cfg)
    progressive = [m for m in cfg.eval.methods if Input.CURRICULUM in methods.get(m).inputs]
    if cfg.curriculum.per_optimizer_step and progressive:
        problems.append(
            f"curriculum.per_optimizer_step: {', '.join(progressive)} cannot train on "
            "per-optimizer-step step files yet; set it to false"
        )
    if progressive and cfg.schedule.epochs < cfg.schedule.steps:
        problems.append(
            f"schedule.epochs: E = {cfg.schedule.epochs} is fewer than the T = "
            f"{cfg.schedule.steps} steps {', '.join(progressive)} trains in; each step needs an "
            "epoch: raise schedule.epochs or lower schedule.steps"
        )
    return problems


def soft_target_problems(cfg: RunConfig) -> list[str]:
    """A method in eval.methods that distils the teacher's logprobs (std-cot-kd) when the teacher
    stage will keep none: K = 0, or a backend that returns none and no scoring model."""
    from skintern.pipeline.stages import needs
    from skintern.teacher.config import LOGPROB_BACKENDS
    from skintern.train.methods import Input, methods

    distilling = [
        name
        for name in needs(cfg)[0]
        if Input.TEACHER_TOKENS in methods.get(name).inputs
        and getattr(cfg.train.methods, name).on_mismatch == "error"
    ]
    rc = cfg.teacher.rationales
    if not distilling or (
        rc.logprobs and (rc.score_with or cfg.teacher.backend in LOGPROB_BACKENDS)
    ):
        return []
    why = (
        "teacher.rationales.logprobs is 0"
        if not rc.logprobs
        else f"teacher.backend {cfg.teacher.backend} returns none and "
        "teacher.rationales.score_with is not set"
    )
    names = ", ".join(distilling)
    return [
        f"teacher.rationales.logprobs: {names} distils the teacher's top-K logprobs, but the "
        f"teacher stage would keep none ({why}): set teacher.rationales.logprobs=K (1..20) "
        f"with a backend that returns them ({', '.join(LOGPROB_BACKENDS)}) or "
        "teacher.rationales.score_with=MODEL (e.g. smollm2-135m) to score the rationales "
        f"locally; or train.methods.{distilling[0]}.on_mismatch=text-only to train on text alone"
    ]


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
    if teacher.rationales.score_with:
        problems += model_problems(teacher.rationales.score_with, "teacher.rationales.score_with")
    return problems


def model_problems(name: str, key: str) -> list[str]:
    """A model alias, folder or hub id that cannot be found."""
    from skintern.models import resolve

    try:
        resolve(name)
    except SkinternError as err:
        return [f"{key}: {_message(err)}"]
    return []


def student_problems(cfg: RunConfig) -> list[str]:
    """The student model, method settings that name files, and `eval.checkpoints` folders."""
    from skintern.train.methods.base import PassageSettings

    problems = model_problems(cfg.student, "student")
    for name in dict.fromkeys(cfg.eval.methods):
        settings = getattr(cfg.train.methods, name)
        if isinstance(settings, PassageSettings) and settings.corpus:
            if not Path(settings.corpus).is_file():
                problems.append(f"train.methods.{name}.corpus: file not found: {settings.corpus}")
    for method, folder in cfg.eval.checkpoints.items():
        if not Path(folder).is_dir():
            problems.append(f"eval.checkpoints.{method}: folder not found: {folder}")
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise ConfigError(
            f"{len(problems)} problem(s) in the config; nothing was run:\n" + "\n".join(problems),
            hint="fix the keys named above and run the same command again",
        )


def check(cfg: RunConfig, *, data: bool = True, teacher: bool = True) -> None:
    """Raise one `ConfigError` listing every problem (one per line), or return quietly.

    `data` and `teacher` say whether those stages will run (a current stage is not re-checked:
    a teacher server need not be up to evaluate a finished run).
    """
    problems = run_problems(cfg)
    if data:
        problems += data_problems(cfg)
    if teacher:
        problems += teacher_problems(cfg)
    _raise(problems + student_problems(cfg))


def preflight(cfg: RunConfig) -> None:
    """What a single stage command (`skintern train`, `eval`, `curriculum`) checks before it
    reads the run directory: the student and the files and folders the config names."""
    _raise(student_problems(cfg))

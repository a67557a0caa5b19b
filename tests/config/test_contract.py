"""The run contract (issue 13): each setting said once, old configs moved or refused clearly."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from skintern.config import RunConfig, dump_config, load_config
from skintern.errors import ConfigError
from skintern.train.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "bbh-small"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, overrides: list[str] = ()) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(RunConfig, path, list(overrides))
    return info.value.message.splitlines()


def test_empty_config_is_an_error_naming_the_file(tmp_path):
    path = write(tmp_path, "# nothing set\n")
    with pytest.raises(ConfigError) as info:
        load_config(RunConfig, path)
    assert info.value.where == str(path) and "empty" in info.value.message


def test_every_stage_reads_the_one_student_and_schedule(tmp_path):
    path = write(tmp_path, "student: tiny-random\nschedule: {steps: 3, epochs: 6}\n")
    cfg = load_config(RunConfig, path)
    assert cfg.train.model == cfg.curriculum.student == cfg.eval.model == "tiny-random"
    assert cfg.curriculum.schedule == cfg.schedule and cfg.train.epochs == 6
    again = load_config(RunConfig, path, ["student=smollm2-135m", "schedule.epochs=9"])
    assert again.train.model == again.eval.model == again.curriculum.student == "smollm2-135m"
    assert again.train.epochs == again.curriculum.schedule.epochs == 9


def test_disagreeing_students_are_refused_in_one_line(tmp_path):
    path = write(tmp_path, "train: {model: tiny-random}\ncurriculum: {student: smollm2-135m}\n")
    lines = problems(path)
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{path}: student: ")
    assert "train.model = 'tiny-random'" in line and "curriculum.student = 'smollm2-135m'" in line


def test_disagreeing_epochs_are_refused_in_one_line(tmp_path):
    path = write(tmp_path, "train: {epochs: 6}\ncurriculum: {epochs: 8, steps: 4}\n")
    lines = problems(path)
    assert len(lines) == 1, lines
    assert "schedule.epochs" in lines[0] and "train.epochs = 6" in lines[0]
    assert "curriculum.epochs = 8" in lines[0]


def test_an_old_key_must_agree_with_its_new_place(tmp_path):
    path = write(tmp_path, "student: tiny-random\nschedule: {epochs: 6}\n")
    lines = problems(path, ["train.model=smollm2-135m", "curriculum.steps=2", "train.epochs=5"])
    assert len(lines) == 2, lines  # steps agree with nothing given: moved, not a problem
    assert "student = 'tiny-random'" in lines[0] and "train.model = 'smollm2-135m'" in lines[0]
    assert "schedule.epochs = 6" in lines[1] and "train.epochs = 5" in lines[1]


def test_old_keys_that_agree_are_moved(tmp_path):
    old = write(
        tmp_path,
        "train: {model: tiny-random, epochs: 6, kard_passages: 2, cascod_alpha: 0.5,"
        " loss_weights: {}, skintern_steps: 3}\n"
        "curriculum: {student: tiny-random, steps: 3, epochs: 6, schedule: exponential}\n"
        "eval: {model: null}\n",
    )
    new = tmp_path / "new.yaml"
    new.write_text(
        "student: tiny-random\nschedule: {steps: 3, epochs: 6, decay: exponential}\n"
        "train: {methods: {kard: {passages: 2}, cascod: {alpha: 0.5}}}\n",
        encoding="utf-8",
    )
    assert load_config(RunConfig, old) == load_config(RunConfig, new)


def test_method_keys_that_disagree_or_are_gone_are_refused(tmp_path):
    path = write(tmp_path, "train: {cascod_alpha: 0.5, methods: {cascod: {alpha: 0.2}}}\n")
    assert "train.methods.cascod.alpha" in problems(path)[0]
    path = write(tmp_path, "train: {loss_weights: {answer: 0.3}}\n")
    assert "train.loss_weights is gone" in problems(path)[0]


def test_names_are_checked_when_the_config_loads(tmp_path):
    path = write(tmp_path, "name: x\n")
    lines = problems(path, ["eval.methods=[std-cot, foo]", "student=smollm2-135", "train.method=x"])
    assert len(lines) == 3, lines
    assert any("eval.methods.1" in line and "unknown method 'foo'" in line for line in lines)
    assert any(
        line.startswith(f"{path}: student: ") and "did you mean 'smollm2-135m'" in line
        for line in lines
    )
    assert any("train.method" in line and "unknown method 'x'" in line for line in lines)


def test_each_method_owns_its_settings():
    cfg = TrainConfig()
    assert cfg.methods.kard.passages == 3 and cfg.methods.cascod.alpha == 0.3
    assert not {"kard_passages", "kard_corpus", "cascod_alpha", "skintern_steps"} & set(
        TrainConfig.model_fields
    )
    # what training one method sees: its own settings, every other method's defaults
    tuned = TrainConfig(methods={"kard": {"passages": 5}, "cascod": {"alpha": 0.5}})
    assert tuned.for_method("kard").methods.cascod.alpha == 0.3
    assert tuned.for_method("kard").methods.kard.passages == 5


def test_dump_says_each_setting_once_and_round_trips(tmp_path):
    cfg = load_config(RunConfig, None, ["student=tiny-random", "schedule.epochs=5"])
    text = dump_config(cfg)
    assert text.count("tiny-random") == 1 and "epochs: 5" in text
    assert load_config(RunConfig, write(tmp_path, text)) == cfg


def test_every_copied_field_has_its_old_key_moved():
    """A value typed into a section's copy of `student` / `schedule` is checked, never lost."""
    from skintern.config.legacy import MOVED
    from skintern.config.run import SECTIONS
    from skintern.markers import run_wide_fields

    for name in SECTIONS:
        section = RunConfig.model_fields[name].annotation
        for field in run_wide_fields(section):
            assert (name, field) in MOVED, (name, field)


def test_neutral_keys_come_from_the_field_marks():
    from skintern.markers import neutral_fields
    from skintern.pipeline.stages import _TRAIN_NEUTRAL
    from skintern.train.config import RESUME_NEUTRAL

    assert _TRAIN_NEUTRAL == neutral_fields(TrainConfig) < RESUME_NEUTRAL
    assert RESUME_NEUTRAL - _TRAIN_NEUTRAL == {"merge"}  # writes merged/: not current, resumable
    assert {"progress", "checkpoint_every", "resume"} <= _TRAIN_NEUTRAL


@pytest.mark.parametrize("result", sorted(p.name for p in RESULTS.iterdir() if p.is_dir()))
def test_committed_results_still_mean_the_same_run(result):
    """The resolved configs under benchmarks/results (written before the contract) load, and
    mean what configs/bbh-small.yaml with the recorded command's overrides means today."""
    folder = RESULTS / result
    command = json.loads((folder / "run.json").read_text())["command"]
    overrides = [word for word in shlex.split(command) if "=" in word and word[0] != "-"]
    recorded = load_config(RunConfig, folder / "config.yaml")
    if recorded.train.precision == "auto":  # on CPU, `auto` meant fp32 before bf16 autocast
        recorded.train = recorded.train.model_copy(update={"precision": "fp32"})
    assert recorded == load_config(RunConfig, ROOT / "configs" / "bbh-small.yaml", overrides)

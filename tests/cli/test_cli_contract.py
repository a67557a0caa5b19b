"""Config problems are found before any stage looks at the run directory (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "configs" / "demo.yaml"


def skintern(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skintern", *args], capture_output=True, text=True, cwd=ROOT
    )


def errors(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_unknown_method_on_a_fresh_run_directory_names_the_method(tmp_path):
    fresh = tmp_path / "fresh"
    result = skintern("eval", "--run-dir", str(fresh), "eval.methods=[foo]")
    lines = errors(result)
    assert len(lines) == 1 and "eval.methods.0" in lines[0] and "unknown method 'foo'" in lines[0]
    assert "test data" not in result.stderr and not fresh.exists()


def test_unknown_student_alias_is_named_before_the_run_directory_is_read(tmp_path):
    for stage in ("train", "eval", "curriculum"):
        result = skintern(stage, "--run-dir", str(tmp_path / "fresh"), "student=smollm2-136m")
        (line,) = errors(result)
        assert "student" in line and "did you mean 'smollm2-135m'" in line, stage
        assert "manifest" not in result.stderr


def test_empty_config_file_is_an_error_that_names_it(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    for stage in ("data", "run"):
        (line,) = errors(skintern(stage, "--config", str(empty), "--run-dir", str(tmp_path / "r")))
        assert str(empty) in line and "empty" in line, stage
    assert not (tmp_path / "r").exists()


def test_disagreeing_student_and_epochs_are_refused(tmp_path):
    result = skintern("run", str(DEMO), "--run-dir", str(tmp_path / "r"), "train.model=tiny-random",
                      "train.epochs=3")  # fmt: skip
    lines = errors(result)
    assert len(lines) == 2, lines
    assert "student = 'smollm2-135m'" in lines[0] and "train.model = 'tiny-random'" in lines[0]
    assert "schedule.epochs = 6" in lines[1] and "train.epochs = 3" in lines[1]


def test_run_says_what_it_does_with_train_method(tmp_path):
    result = skintern("run", str(DEMO), "--run-dir", str(tmp_path / "r"), "train.method=kard")
    lines = errors(result)
    assert any(
        "train.method" in line and "eval.methods" in line and "kard" in line for line in lines
    ), lines
    assert not (tmp_path / "r").exists()

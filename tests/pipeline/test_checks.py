"""A bad config stops `skintern run` before any stage: one message per problem, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_fixtures import DEMO, TINY, tiny_config

from skintern.errors import ConfigError
from skintern.pipeline import run_pipeline


def bad_overrides(tmp_path: Path) -> list[str]:
    missing = tmp_path / "missing.jsonl"
    return [
        "train.method=kard",  # `skintern run` would not train it: said, not ignored
        f"data.train=[{{name: mine, path: {missing}}}]",
        "teacher.backend=openai-http",
        "teacher.model=some-model",
        "teacher.http.base_url=http://127.0.0.1:9/v1",  # discard port: nothing listens
        "teacher.http.api_key_env=null",
    ]


def test_every_problem_is_reported_before_any_stage(tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(ConfigError) as caught:
        run_pipeline(tiny_config(*bad_overrides(tmp_path)), run_dir, log=lambda _: None)
    lines = caught.value.message.splitlines()[1:]
    assert len(lines) == 3, lines
    assert lines[0].startswith("train.method: 'kard'") and "eval.methods" in lines[0]
    assert "data.train[0] (mine)" in lines[1] and "missing.jsonl" in lines[1]
    assert lines[2].startswith("teacher:") and "cannot reach the teacher" in lines[2]
    assert not run_dir.exists()


def test_cli_prints_error_lines_and_exits_nonzero(tmp_path):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "run", str(DEMO), "--run-dir", str(run_dir),
         *TINY, *bad_overrides(tmp_path)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4 and "Traceback" not in result.stderr  # the count, then one each
    assert not run_dir.exists()


def test_run_without_config_and_with_two_configs(tmp_path):
    for args in ([], [str(DEMO), str(DEMO)], [str(tmp_path / "nope.yaml")]):
        result = subprocess.run(
            [sys.executable, "-m", "skintern", "run", *args], capture_output=True, text=True
        )
        assert result.returncode == 1 and "error:" in result.stderr, args
        assert "Traceback" not in result.stderr


def test_names_are_refused_when_the_config_loads_all_at_once():
    with pytest.raises(ConfigError) as caught:
        tiny_config("eval.methods=[std-cot, skintrn]", "curriculum.compressor=selfinf")
    lines = caught.value.message.splitlines()
    assert len(lines) == 2, lines
    assert "curriculum.compressor" in lines[0] and "selfinfo" in lines[0]
    assert "eval.methods.1" in lines[1] and "did you mean 'skintern'" in lines[1]


def test_a_progressive_method_needs_an_epoch_a_step(tmp_path):
    with pytest.raises(ConfigError, match="E = 2 is fewer than the T = 3 steps skintern"):
        run_pipeline(tiny_config("schedule.epochs=2"), tmp_path / "run", log=lambda _: None)
    assert not (tmp_path / "run").exists()

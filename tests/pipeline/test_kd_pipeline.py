"""std-cot-kd through `skintern run`: the `gold` teacher's rationales gain soft targets from a local
scoring model (`teacher.rationales.score_with`), and a config whose teacher stage would keep no
logprobs stops before any stage, naming the keys."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pipeline_fixtures import DEMO, TINY, tiny_config

from skintern.errors import ConfigError
from skintern.files import read_json
from skintern.pipeline import run_pipeline
from skintern.pipeline.checks import soft_target_problems

KD = "eval.methods=[std-cot-kd]"
SCORED = ["teacher.rationales.logprobs=5", "teacher.rationales.score_with=tiny-random"]


def test_std_cot_kd_trains_on_scored_rationales(tmp_path):
    run_dir = tmp_path / "run"
    run_pipeline(tiny_config(KD, *SCORED), run_dir, log=lambda _: None)
    teacher = read_json(run_dir / "teacher" / "manifest.json")
    kept = teacher["rationales"]["written"]
    assert kept > 0 and teacher["scoring"]["scored"] == kept
    assert teacher["rationales"]["logprobs"]["tokens"] > 0
    train = read_json(run_dir / "train" / "std-cot-kd" / "manifest.json")
    assert train["soft_targets"] == {"distilled": True, "fallback": None}
    assert train["global_steps"] > 0
    metrics = read_json(run_dir / "eval" / "std-cot-kd" / "metrics.json")
    assert metrics["datasets"]["synthetic"]["n"] == 6

    results = run_pipeline(tiny_config(KD, *SCORED), run_dir, log=lambda _: None)
    assert {r.status for r in results} == {"skipped"}


def test_no_logprobs_for_std_cot_kd_stops_before_any_stage(tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(ConfigError) as caught:
        run_pipeline(tiny_config(KD), run_dir, log=lambda _: None)
    (line,) = caught.value.message.splitlines()[1:]
    assert line.startswith("teacher.rationales.logprobs: std-cot-kd distils")
    assert "teacher.rationales.logprobs is 0" in line and "teacher.rationales.score_with" in line
    assert not run_dir.exists()
    # text alone, asked for: no problem; a backend with logprobs: none either
    allowed = tiny_config(KD, "train.methods.std-cot-kd.on_mismatch=text-only")
    assert soft_target_problems(allowed) == []
    served = tiny_config(
        KD, "teacher.backend=openai-http", "teacher.model=m", "teacher.rationales.logprobs=5"
    )
    assert soft_target_problems(served) == []


def test_cli_names_the_keys_without_a_traceback(tmp_path):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "run", str(DEMO), "--run-dir", str(run_dir), *TINY, KD],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "teacher.rationales.score_with" in result.stderr
    assert not run_dir.exists()

"""The demo's pipeline on tiny-random (CI cannot afford the real 10-minute demo) and its config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from pipeline_fixtures import DEMO, TINY

from skintern.cli.run import DEMO_CONFIG
from skintern.config import RunConfig, load_config
from skintern.files import read_json
from skintern.paths import shipped_config
from skintern.pipeline.compare import comparison
from skintern.pipeline.ledger import LEDGER

STAGES = {"data", "teach", "curriculum", "train std-cot", "train skintern", "eval", "report"}


def test_demo_config_is_an_honest_comparison():
    cfg = load_config(RunConfig, DEMO)
    assert shipped_config(DEMO_CONFIG).resolve() == DEMO.resolve()  # skintern demo's default
    assert cfg.eval.methods == ["std-cot", "skintern"]
    assert cfg.curriculum.schedule.epochs == cfg.train.epochs == 6  # the same E for both
    assert cfg.curriculum.student == cfg.train.model == cfg.eval.model == "smollm2-135m"
    assert cfg.teacher.backend == "gold" and cfg.eval.reference.dataset == "synthetic"
    assert {s.name for s in cfg.data.train} == {"synthetic"} == {s.name for s in cfg.data.test}


def test_tiny_demo_runs_every_stage(finished):
    stages = read_json(finished / LEDGER)["stages"]
    assert set(stages) == STAGES
    assert all(entry["done"] and entry["outputs"] for entry in stages.values())
    for method in ("std-cot", "skintern"):
        assert read_json(finished / "train" / method / "manifest.json")["global_steps"] > 0
    steps = read_json(finished / "curriculum" / "manifest.json")["steps"]
    assert [s["S_t"] for s in steps] == [1.0, 0.5, 0.0]
    assert steps[1]["knowledge_ratio_mean"] < 0.75  # compressed at t = 2
    assert (finished / "report.md").is_file()


def test_comparison_numbers_come_from_the_run(finished):
    cfg = load_config(RunConfig, DEMO, TINY)
    rows, reference = comparison(cfg, finished)
    assert [r.name for r in rows][:2] == ["std-cot", "skintern"] and "kard" in rows[2].name
    for row in rows[:2]:
        metrics = read_json(finished / "eval" / row.name / "metrics.json")
        assert row.accuracy == metrics["datasets"]["synthetic"]["accuracy"]
        assert row.ci95 == metrics["datasets"]["synthetic"]["ci95"]
        per_question = metrics["prefill_flops"] / row.n
        assert row.rel_prefill == per_question / (reference["prefill_flops"] / reference["n"])
        assert row.rel_full > row.rel_prefill  # generation costs something
    # question alone at inference: SKIntern costs what Std-CoT costs; KARD's passages cost more
    assert rows[0].rel_prefill == rows[1].rel_prefill
    assert rows[2].rel_prefill > 2 * rows[1].rel_prefill


def test_demo_command_on_a_finished_run_skips_and_prints(tmp_path, finished):
    run_dir = tmp_path / "demo"
    shutil.copytree(finished, run_dir)
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "demo", "--run-dir", str(run_dir), *TINY],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("skipped") == len(STAGES)
    assert "demo comparison" in out and "kard-style" in out and "95% CI" in out
    assert "On BBH at 135M" in " ".join(out.split())  # the seeded experiment's verdict, too
    assert f"report: {run_dir / 'report.md'}" in out

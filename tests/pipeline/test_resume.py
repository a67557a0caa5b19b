"""An interrupted `skintern run` continues where it stopped and ends as an uninterrupted run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline_fixtures import tiny_config

from skintern.files import read_json, read_jsonl
from skintern.pipeline import Hooks, run_pipeline

EARLIER = ("data/*/*.jsonl", "teacher/*.jsonl", "curriculum/*.jsonl", "train/std-cot/adapter/*")


def quiet(_line: str) -> None:
    pass


def mtimes(run_dir: Path) -> dict[str, int]:
    return {
        str(p.relative_to(run_dir)): p.stat().st_mtime_ns
        for pattern in EARLIER
        for p in sorted(run_dir.glob(pattern))
    }


def outputs(run_dir: Path) -> dict[tuple[str, str], str]:
    """(method, example id) -> the generated text, over every predictions file."""
    return {
        (row["method"], row["id"]): row["output"]
        for path in sorted(run_dir.glob("eval/*/*/predictions.jsonl"))
        for row in read_jsonl(path)
    }


def losses(run_dir: Path, method: str) -> dict[int, float]:
    rows = read_jsonl(run_dir / "train" / method / "train_log.jsonl")
    return {row["global_step"]: row["loss"] for row in rows if "loss" in row}


def test_interrupted_in_training_resumes_and_equals_uninterrupted(tmp_path, finished):
    run_dir = tmp_path / "run"

    def ctrl_c(method: str, step: int) -> None:
        # Ctrl-C in SKIntern's last schedule step, just after a checkpoint (optimizer step 5 of
        # 6: 8 records, batch 4, three schedule steps of one epoch).
        if method == "skintern" and step == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_pipeline(tiny_config(), run_dir, log=quiet, hooks=Hooks(on_train_step=ctrl_c))
    assert (run_dir / "train" / "std-cot" / "adapter").is_dir()
    assert not (run_dir / "train" / "skintern" / "adapter").exists()
    assert not (run_dir / "eval").exists()
    before = mtimes(run_dir)
    assert len(before) >= 8

    results = run_pipeline(tiny_config(), run_dir, log=quiet)

    status = {r.name: r.status for r in results}
    assert status == {
        "data": "skipped",
        "teach": "skipped",
        "curriculum": "skipped",
        "train std-cot": "skipped",
        "train skintern": "resumed",
        "eval": "ran",
        "report": "ran",
    }
    assert mtimes(run_dir) == before  # nothing finished was written again
    log = read_jsonl(run_dir / "train" / "skintern" / "train_log.jsonl")
    assert any(row.get("event") == "resume" for row in log)  # from the checkpoint, not step 0
    assert losses(run_dir, "skintern") == losses(finished, "skintern")
    assert outputs(run_dir) == outputs(finished) and len(outputs(run_dir)) == 12
    for method in ("std-cot", "skintern"):
        ours = read_json(run_dir / "eval" / method / "synthetic" / "metrics.json")
        theirs = read_json(finished / "eval" / method / "synthetic" / "metrics.json")
        assert ours["correct"] == theirs["correct"] and ours["ci95"] == theirs["ci95"]
    assert (run_dir / "report.md").is_file()


def test_changed_eval_settings_redo_only_eval(tmp_path, finished):
    run_dir = tmp_path / "run"
    shutil.copytree(finished, run_dir)
    before = mtimes(run_dir)

    results = run_pipeline(tiny_config("eval.max_new_tokens=5"), run_dir, log=quiet)

    status = {r.name: r.status for r in results}
    assert [name for name, s in status.items() if s != "skipped"] == ["eval", "report"]
    assert status["eval"] == "restarted"
    assert mtimes(run_dir) == before
    rows = [row for path in run_dir.glob("eval/*/*/predictions.jsonl") for row in read_jsonl(path)]
    assert len(rows) == 12  # the old 12-token predictions were dropped, not extended
    assert all(row["generated_tokens"] <= 5 for row in rows)

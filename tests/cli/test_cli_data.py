"""The CLI as a user runs it: exit codes, error lines, no tracebacks, artifacts."""

import json
import subprocess
import sys

import pytest

from skintern.errors import DataError
from skintern.paths import data_root

try:
    data_root()
    HAVE_DATA = True
except DataError:
    HAVE_DATA = False


def skintern(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skintern", *args], capture_output=True, text=True, cwd=cwd
    )


def test_bad_config_is_one_clear_message_per_problem(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("data:\n  seed: fast\n  bogus: 1\n")
    result = skintern("data", "--config", str(cfg), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert any("data.bogus: unknown key" in line for line in errors)
    assert not (tmp_path / "run").exists()


def test_unknown_dataset_in_stats():
    result = skintern("data", "stats", "nope")
    assert result.returncode == 1
    assert "unknown dataset 'nope'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not HAVE_DATA, reason="shared data folder ../shared/data absent")
def test_data_stage_writes_jsonl_and_manifest(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text(
        "data:\n  train: [{name: bbh, tasks: [navigate], limit: 5}]\n"
        "  test: [{name: bbh, tasks: [navigate, web_of_lies]}]\n"
    )
    run = tmp_path / "run"
    result = skintern("data", "-c", str(cfg), "--run-dir", str(run), "data.seed=2")
    assert result.returncode == 0, result.stderr
    train = (run / "data/train/bbh.jsonl").read_text().splitlines()
    test = (run / "data/test/bbh.jsonl").read_text().splitlines()
    assert len(train) == 5 and len(test) == 100
    manifest = json.loads((run / "data/manifest.json").read_text())
    assert manifest["counts"] == {"train": {"bbh": 5}, "test": {"bbh": 100}}
    assert manifest["config"]["seed"] == 2


@pytest.mark.skipif(not HAVE_DATA, reason="shared data folder ../shared/data absent")
def test_stats_shows_bbh_counts():
    result = skintern("data", "stats", "bbh")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "bbh" in line)
    assert all(str(n) in row for n in (27, 5209, 1302, 6511))

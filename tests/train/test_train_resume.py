"""Kill and resume: same adapter as an uninterrupted run; damaged and foreign checkpoints."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import torch
from test_trainer import adapter, config
from train_fixtures import write_run

from skintern.errors import ResumeError
from skintern.train import stage
from skintern.train.checkpoint import _digest, list_checkpoints

# SKIntern: 2 schedule steps x 4 optimizer steps (8 records, batch 2); checkpoints every 3 steps
# and at each step's end; LoRA dropout on, so RNG states must be restored too.
SETTINGS = {"method": "skintern", "batch_size": 2, "checkpoint_every": 3, "lora": {"dropout": 0.1}}


class Killed(Exception):
    """Stands in for SIGKILL: the process stops between two optimizer steps."""


def kill_at(step: int):
    def on_step(global_step: int) -> None:
        if global_step == step:
            raise Killed

    return on_step


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An uninterrupted run, and a copy of the same run killed after optimizer step 7."""
    root = tmp_path_factory.mktemp("resume")
    whole, killed = write_run(root / "whole"), write_run(root / "killed")
    stage.run(config(**SETTINGS), whole)
    with pytest.raises(Killed):
        stage.run(config(**SETTINGS), killed, on_step=kill_at(7))
    return whole, killed


@pytest.fixture
def runs(trained: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    whole, killed = trained
    return whole, Path(shutil.copytree(killed, tmp_path / "killed"))


def assert_same_adapter(a: Path, b: Path) -> None:
    first, second = adapter(a, "skintern"), adapter(b, "skintern")
    assert first.keys() == second.keys()
    for key in first:
        torch.testing.assert_close(first[key], second[key], rtol=1e-5, atol=1e-7)


def test_killed_and_resumed_equals_uninterrupted(runs):
    whole, killed = runs
    names = [p.name for p in list_checkpoints(killed / "train" / "skintern" / "checkpoints")]
    assert names == ["ckpt-00000004", "ckpt-00000006"]  # step-1 end, then every 3
    stage.run(config(**SETTINGS), killed)
    assert_same_adapter(whole, killed)


def test_a_resumed_run_reports_the_training_time_of_every_invocation(runs):
    """The killed invocation's time travels in the checkpoint: here it is set to a known 1,000 s
    (500 CPU-s), and the resumed run's manifest counts it beside its own few seconds."""
    _, killed = runs
    newest = list_checkpoints(killed / "train" / "skintern" / "checkpoints")[-1]
    state = json.loads((newest / "state.json").read_text())
    assert 0 < state["spent"]["cpu_seconds"] and 0 < state["spent"]["seconds"]
    state["spent"] = {"seconds": 1000.0, "cpu_seconds": 500.0}
    (newest / "state.json").write_text(json.dumps(state))
    seal = json.loads((newest / "complete.json").read_text())
    (newest / "complete.json").write_text(
        json.dumps({**seal, "state.json": _digest(newest / "state.json")})
    )
    started, cpu_started = time.time(), time.process_time()
    manifest = stage.run(config(**SETTINGS), killed)
    assert 1000 < manifest["seconds"] <= 1000 + time.time() - started
    assert 500 < manifest["cpu_seconds"] <= 500 + time.process_time() - cpu_started


def test_corrupted_checkpoint_falls_back_to_the_previous(runs):
    whole, killed = runs
    newest = list_checkpoints(killed / "train" / "skintern" / "checkpoints")[-1]
    (newest / "trainable.safetensors").write_bytes(b"broken")
    messages: list[str] = []
    stage.run(config(**SETTINGS), killed, warn=messages.append)
    assert any("ckpt-00000006 is corrupted" in m and "previous" in m for m in messages)
    assert_same_adapter(whole, killed)


def test_checkpoint_of_another_config_is_refused_naming_the_keys(runs):
    _, killed = runs
    with pytest.raises(ResumeError, match=r"(?s)differing keys.*lr: 0\.001 -> 0\.002"):
        stage.run(config(**{**SETTINGS, "lr": 2e-3}), killed)


def test_killed_in_the_first_schedule_step_resumes_the_later_steps_fresh(trained, tmp_path):
    """A resume inside step 1 must not reload that checkpoint's state again at step 2."""
    whole, _ = trained
    killed = write_run(tmp_path / "early")
    with pytest.raises(Killed):
        stage.run(config(**{**SETTINGS, "checkpoint_every": 1}), killed, on_step=kill_at(2))
    stage.run(config(**{**SETTINGS, "checkpoint_every": 1}), killed)
    assert_same_adapter(whole, killed)

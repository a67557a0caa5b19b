"""`skintern train` killed twice with SIGKILL and resumed ends with the adapter of a run that was
never interrupted, bit for bit, in fp32 and in bf16 (autocast)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml
from test_trainer import adapter
from train_fixtures import write_run

from skintern.train import stage
from skintern.train.config import TrainConfig

# 8 records, batch 2: 4 optimizer steps an epoch, 24 in all, a checkpoint every 3; LoRA dropout
# on, so the RNG state must come back too.
TRAIN = {
    "model": "tiny-random",
    "method": "std-cot",
    "epochs": 6,
    "batch_size": 2,
    "grad_accum": 1,
    "lr": 1e-3,
    "checkpoint_every": 3,
    "progress": False,
    "lora": {"dropout": 0.1},
}


def steps_done(run_dir: Path) -> int:
    log = run_dir / "train" / "std-cot" / "train_log.jsonl"
    if not log.exists():
        return 0
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.endswith("}")]
    return max((r["global_step"] for r in rows if "loss" in r), default=0)


def start(config: Path, run_dir: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "skintern", "train", "--config", str(config)]
    return subprocess.Popen(
        [*cmd, "--run-dir", str(run_dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def kill_after(proc: subprocess.Popen, run_dir: Path, step: int, deadline_s: float = 180) -> None:
    deadline = time.monotonic() + deadline_s
    while steps_done(run_dir) < step:
        assert proc.poll() is None, f"finished before the kill: {proc.stdout.read()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_sigkilled_twice_and_resumed_equals_uninterrupted(precision: str, tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"train": {**TRAIN, "precision": precision}}))
    whole, killed = write_run(tmp_path / "whole"), write_run(tmp_path / "killed")
    stage.run(TrainConfig(**TRAIN, precision=precision), whole)  # the same code, in-process
    kill_after(start(config, killed), killed, step=5)
    after_first = steps_done(killed)
    kill_after(start(config, killed), killed, step=after_first + 7)
    assert steps_done(killed) < 24, "the second kill came too late to test anything"
    resumed = start(config, killed)
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    log = (killed / "train" / "std-cot" / "train_log.jsonl").read_text()
    assert log.count('"event": "resume"') == 2
    manifest = json.loads((killed / "train" / "std-cot" / "manifest.json").read_text())
    assert manifest["hardware"]["precision"] == precision
    first, second = adapter(whole, "std-cot"), adapter(killed, "std-cot")
    assert first.keys() == second.keys()
    for key in first:
        assert torch.equal(first[key], second[key]), key

"""2 data-parallel CPU processes (gloo) give the loss curve of 1 process with the same global
batch. The processes run the real CLI through `accelerate launch` and the shipped launch config
`configs/accelerate/2cpu.yaml`, exactly the command the README shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_trainer import adapter, config, log_rows

from skintern.models import aliases
from skintern.train import stage

LAUNCH_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "accelerate" / "2cpu.yaml"

SETTINGS = ["train.method=std-cot", "student=tiny-random", "schedule.epochs=2",
            "train.precision=fp32", "train.progress=false", "train.lora.dropout=0",
            "train.checkpoint_every=0", "train.lr=0.001"]  # fmt: skip


def test_two_processes_match_one(tmp_path: Path, run_dir: Path):
    two = Path(shutil.copytree(run_dir, tmp_path / "two"))
    # `accelerate launch`, from this interpreter (the console script is the same entry point)
    launcher = [sys.executable, "-m", "accelerate.commands.accelerate_cli", "launch",
                "--config_file", str(LAUNCH_CONFIG)]  # fmt: skip
    command = [*launcher, "-m", "skintern", "train", "--run-dir", str(two), *SETTINGS,
               "train.batch_size=1", "train.grad_accum=2"]  # fmt: skip
    # A cold model cache: a rank builds tiny-random (under DDP save_pretrained writes nothing on
    # rank 1, so the build must happen before the process group exists)
    cache = tmp_path / "cache" / "models"
    cache.mkdir(parents=True)
    (cache / "smollm2-135m").symlink_to(aliases.get("smollm2-135m").ensure())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SKINTERN_CACHE_DIR": str(cache.parent)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((two / "train" / "std-cot" / "manifest.json").read_text())
    assert manifest["processes"] == 2  # accelerate started two processes, not one
    # One process, same global batch of 4: batch 2 x accumulation 2.
    stage.run(
        config(method="std-cot", epochs=2, batch_size=2, grad_accum=2, lora={"dropout": 0.0}),
        run_dir,
    )
    one = [r["loss"] for r in log_rows(run_dir, "std-cot") if "loss" in r]
    both = [r["loss"] for r in log_rows(two, "std-cot") if "loss" in r]
    assert len(one) == len(both) == 4
    assert both == pytest.approx(one, rel=1e-4)
    a, b = adapter(run_dir, "std-cot"), adapter(two, "std-cot")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-3, atol=1e-5)

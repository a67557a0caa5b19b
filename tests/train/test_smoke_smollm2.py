"""Smoke: the real 135M student trains a few SKIntern steps end to end (marked slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_trainer import config, log_rows

from skintern.errors import SkinternError
from skintern.train import stage


@pytest.mark.slow
def test_smollm2_trains_a_few_steps(run_dir: Path):
    try:
        from skintern.models import resolve

        resolve("smollm2-135m")
    except SkinternError as err:
        pytest.skip(f"smollm2-135m unavailable: {err.message}")
    cfg = config(method="skintern", model="smollm2-135m", max_examples=4, batch_size=2)
    manifest = stage.run(cfg, run_dir)
    losses = [r["loss"] for r in log_rows(run_dir, "skintern") if "loss" in r]
    assert manifest["global_steps"] == len(losses) == 4  # 2 schedule steps x 2 batches
    assert all(0 < loss < 20 for loss in losses)
    assert (run_dir / "train" / "skintern" / "adapter" / "adapter_config.json").is_file()

"""The shared trainer end to end on tiny-random: every method, loss, accumulation, bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from train_fixtures import make_examples

from skintern.errors import DataError, ModelError
from skintern.train import stage
from skintern.train.config import TrainConfig
from skintern.train.context import build_context
from skintern.train.encode import collate, encode_records
from skintern.train.loss import CompletionLoss, reference_loss
from skintern.train.methods import methods
from skintern.train.methods.base import Input

TRAINED = [name for name in methods.names() if methods.get(name).trains]
# fp32: the invariants below are exact there; bf16 has tests of its own (test_precision.py).
FAST = {
    "model": "tiny-random",
    "progress": False,
    "checkpoint_every": 0,
    "lr": 1e-3,
    "precision": "fp32",
}


def config(**overrides) -> TrainConfig:
    """A fast config; E = 1, or for the curriculum methods the E = 2 the fixture's spans."""
    epochs = 2 if overrides.get("method") in ("skintern", "skintern-scd") else 1
    fields = {**FAST, "epochs": epochs, "batch_size": 4, "grad_accum": 1, **overrides}
    return TrainConfig(**fields)


def log_rows(run_dir: Path, method: str) -> list[dict]:
    path = run_dir / "train" / method / "train_log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def adapter(run_dir: Path, method: str) -> dict[str, torch.Tensor]:
    return load_file(str(run_dir / "train" / method / "adapter" / "adapter_model.safetensors"))


@pytest.mark.parametrize("name", TRAINED)
def test_every_method_trains_end_to_end(name: str, run_dir: Path):
    # the fixture's teacher kept no logprobs: a soft-target method trains on the text
    reads_logprobs = Input.TEACHER_TOKENS in methods.get(name).inputs
    text_only = {"methods": {name: {"on_mismatch": "text-only"}}} if reads_logprobs else {}
    manifest = stage.run(config(method=name, max_examples=4, **text_only), run_dir)
    rows = [r for r in log_rows(run_dir, name) if "loss" in r]
    assert rows and all(torch.isfinite(torch.tensor(r["loss"])) for r in rows)
    assert manifest["global_steps"] == len(rows) >= 1
    cpu = [r["cpu_s"] for r in rows]  # process CPU so far, to tell a paused run from a shared one
    assert cpu == sorted(cpu) and 0 < cpu[-1] <= manifest["cpu_seconds"]
    weights = adapter(run_dir, name)
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items())


def test_skintern_steps_use_the_schedule(run_dir: Path):
    stage.run(config(method="skintern"), run_dir)
    starts = [r for r in log_rows(run_dir, "skintern") if r.get("event") == "step_start"]
    assert [(r["schedule_step"], r["S_t"]) for r in starts] == [(1, 1.0), (2, 0.0)]
    assert starts[0]["mean_prompt_tokens"] > starts[1]["mean_prompt_tokens"] + 20
    steps = {r["schedule_step"] for r in log_rows(run_dir, "skintern") if "loss" in r}
    assert steps == {1, 2}


def test_completion_loss_equals_full_logits_loss(run_dir: Path, tiny):
    cfg = config(method="cascod")
    method = methods.get("cascod")
    ctx = build_context(method, cfg.methods.cascod, run_dir, make_examples())
    records = [r for e in make_examples()[:3] for r in method.train_records(e, ctx, 1)]
    encoded, _ = encode_records(records, tiny.tokenizer, 512, method.loss_weights(ctx))
    batch = collate(encoded, tiny.tokenizer.pad_token_id)
    with torch.no_grad():
        ours, tokens = CompletionLoss(tiny.model)(**batch)
        reference = reference_loss(tiny.model, batch)
    assert tokens == sum(e.completion_tokens for e in encoded)
    torch.testing.assert_close(ours, reference, rtol=1e-5, atol=1e-5)


def test_batch_8_x_1_equals_batch_1_x_8(tmp_path: Path, run_dir: Path):
    other = tmp_path / "other"
    shutil.copytree(run_dir, other)
    no_dropout = {"method": "std-cot", "lora": {"dropout": 0.0}, "group_by_length": False}
    stage.run(config(batch_size=8, grad_accum=1, **no_dropout), run_dir)
    stage.run(config(batch_size=1, grad_accum=8, **no_dropout), other)
    one = [r["loss"] for r in log_rows(run_dir, "std-cot") if "loss" in r]
    eight = [r["loss"] for r in log_rows(other, "std-cot") if "loss" in r]
    assert len(one) == len(eight) == 1
    assert one == pytest.approx(eight, rel=1e-5)
    a, b = adapter(run_dir, "std-cot"), adapter(other, "std-cot")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-6)


def test_empty_training_set_after_filtering_is_an_error(run_dir: Path):
    (run_dir / "teacher" / "rationales.jsonl").write_text(
        json.dumps({"id": "nowhere", "task": "x", "sample": 0, "text": "t", "source": "t"}) + "\n"
    )
    with pytest.raises(DataError, match=r"no training records.*8 training examples, 0 with"):
        stage.run(config(method="std-cot"), run_dir)


def test_model_that_does_not_fit_says_so_with_numbers(run_dir: Path):
    with pytest.raises(ModelError, match=r"does not fit: 3\.\dM parameters need at least .* GiB"):
        stage.run(config(method="ft", memory_limit_gb=0.001, finetune="full"), run_dir)


def test_a_curriculum_for_other_epochs_is_refused(run_dir: Path):
    """Step files rendered for another E (schedule changed, curriculum not rerun) are stale."""
    with pytest.raises(DataError, match=r"span 2 epochs; this config's E is schedule.epochs = 3"):
        stage.run(config(method="skintern", epochs=3), run_dir)

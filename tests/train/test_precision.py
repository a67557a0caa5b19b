"""Lean training: precision choice, the mask-free path, checkpointing and the batch planner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from test_trainer import config, log_rows
from train_fixtures import make_examples

from skintern.errors import ModelError
from skintern.models.precision import resolve_precision
from skintern.train import stage
from skintern.train.context import build_context
from skintern.train.encode import collate, encode_records
from skintern.train.loss import CompletionLoss, is_right_padded, reference_loss
from skintern.train.methods import methods
from skintern.train.model_setup import set_checkpointing
from skintern.train.planner import (
    CPU_PASS_TOKENS,
    ModelShape,
    StepShape,
    activation_bytes,
    plan_step,
)

GIB = 1024**3


def test_auto_precision_follows_the_cpu_flags():
    assert resolve_precision("auto", False, frozenset({"avx2", "avx512_bf16"})) == "bf16"
    assert resolve_precision("auto", False, frozenset({"avx2", "amx_bf16"})) == "bf16"
    assert resolve_precision("auto", False, frozenset({"avx2", "avx512f"})) == "fp32"
    assert resolve_precision("fp32", False, frozenset({"avx512_bf16"})) == "fp32"


@pytest.fixture
def batch(run_dir: Path, tiny) -> dict[str, torch.Tensor]:
    """Three std-cot records of different lengths, right-padded as training collates them."""
    method = methods.get("skintern")
    ctx = build_context(method, config().methods.skintern, run_dir, make_examples())
    records = [r for e in make_examples()[:3] for r in method.train_records(e, ctx, 1)]
    encoded, _ = encode_records(records, tiny.tokenizer, 512, {})
    assert len({e.length for e in encoded}) > 1  # so there is padding
    return collate(encoded, tiny.tokenizer.pad_token_id)


@pytest.mark.parametrize(("precision", "tolerance"), [("fp32", 1e-6), ("bf16", 2e-2)])
def test_one_batch_loss_equals_the_fp32_reference(batch, tiny, precision: str, tolerance: float):
    with torch.no_grad():
        reference = reference_loss(tiny.model, batch).item()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            ours, tokens = CompletionLoss(tiny.model)(**batch)
    mean, expected = ours.item() / tokens.item(), reference / tokens.item()
    assert abs(mean - expected) <= tolerance * max(1.0, abs(expected))


def test_right_padded_batches_run_without_a_mask_and_lose_nothing(batch, tiny):
    assert is_right_padded(batch["attention_mask"])
    left = batch["attention_mask"].flip(-1)
    assert not is_right_padded(left)
    loss = CompletionLoss(tiny.model)
    with torch.no_grad():
        masked_hidden = loss.model.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
        free_hidden = loss.model.model(input_ids=batch["input_ids"]).last_hidden_state
    real = batch["attention_mask"].bool()
    torch.testing.assert_close(free_hidden[real], masked_hidden[real], rtol=1e-5, atol=1e-6)


def test_checkpointing_gives_the_same_loss_and_gradients(batch):
    from peft import LoraConfig, get_peft_model

    from skintern.models import load_model, peft_wrapping

    grads = []
    for enabled in (False, True):
        torch.manual_seed(0)
        with peft_wrapping():
            model = get_peft_model(
                load_model("tiny-random").model,
                LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False),
            ).train()
        set_checkpointing(model, enabled)
        total, _ = CompletionLoss(model)(**batch)
        total.backward()
        grads.append([p.grad.clone() for p in model.parameters() if p.requires_grad])
    for off, on in zip(*grads, strict=True):
        torch.testing.assert_close(off, on, rtol=1e-5, atol=1e-7)


SHAPE = ModelShape(layers=30, hidden=576, intermediate=1536, vocab=49152)  # SmolLM2-135M
STEP = StepShape(lengths=[1400, 1300, 900, 700] * 4, completions=[120] * 16)


def test_planner_keeps_the_batch_when_it_fits_and_a_cpu_takes_short_passes():
    roomy = {"batch_size": 4, "micro_batch": "auto", "checkpointing": "auto", "precision": "bf16"}
    gpu = plan_step(STEP, SHAPE, 100 * GIB, on_gpu=True, **roomy)
    cpu = plan_step(STEP, SHAPE, 100 * GIB, on_gpu=False, **roomy)
    short = StepShape(lengths=[300] * 16, completions=[100] * 16)
    assert (gpu.micro_batch, gpu.checkpointing) == (4, False)
    assert (cpu.micro_batch, cpu.checkpointing) == (CPU_PASS_TOKENS // 1400, False) == (2, False)
    assert plan_step(short, SHAPE, 100 * GIB, on_gpu=False, **roomy).micro_batch == 4
    fixed = plan_step(STEP, SHAPE, 100 * GIB, on_gpu=False, **{**roomy, "micro_batch": 3})
    assert fixed.micro_batch == 3


def test_planner_halves_on_cpu_and_checkpoints_first_on_gpu():
    two_rows = activation_bytes(SHAPE, 2, 1400, 240, "bf16", False)
    common = {"batch_size": 4, "micro_batch": "auto", "checkpointing": "auto", "precision": "bf16"}
    cpu = plan_step(STEP, SHAPE, two_rows, on_gpu=False, **common)
    gpu = plan_step(STEP, SHAPE, two_rows, on_gpu=True, **common)
    assert (cpu.micro_batch, cpu.checkpointing) == (2, False)
    assert (gpu.micro_batch, gpu.checkpointing) == (4, True)
    assert cpu.estimate_bytes <= two_rows and gpu.estimate_bytes <= two_rows
    one_row_checkpointed = activation_bytes(SHAPE, 1, 1400, 120, "bf16", True)
    assert plan_step(STEP, SHAPE, one_row_checkpointed / 2, on_gpu=False, **common) is None
    never = {**common, "checkpointing": False}
    assert plan_step(STEP, SHAPE, one_row_checkpointed * 1.01, on_gpu=False, **never) is None


def test_a_tight_memory_budget_lowers_the_micro_batch_not_the_optimizer_step(run_dir: Path):
    roomy = Path(shutil.copytree(run_dir, run_dir.parent / "roomy"))
    settings = {"method": "std-cot", "batch_size": 8, "group_by_length": False}
    stage.run(config(**settings), roomy)
    # tiny-random needs about 13 MiB a record (its 49k-word logits); 1.17 GiB leaves about 50
    # MiB once the planner has kept back 10 % and 1 GiB for the runtime
    manifest = stage.run(config(**settings, memory_limit_gb=1.17), run_dir)
    (step,) = manifest["steps"]
    assert 1 <= step["micro_batch"] < 8
    assert manifest["global_steps"] == 1  # still one optimizer step of 8 records
    losses = [[r["loss"] for r in log_rows(d, "std-cot") if "loss" in r] for d in (run_dir, roomy)]
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    start = next(r for r in log_rows(run_dir, "std-cot") if r.get("event") == "step_start")
    assert start["micro_batch"] == step["micro_batch"]
    assert json.loads((run_dir / "train" / "std-cot" / "manifest.json").read_text())["hardware"]


def test_a_budget_too_small_for_one_record_is_one_clear_error(run_dir: Path):
    with pytest.raises(ModelError, match=r"schedule step 1 does not fit in memory.*tokens"):
        stage.run(config(method="std-cot", memory_limit_gb=1.1), run_dir)

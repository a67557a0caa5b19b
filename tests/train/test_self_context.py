"""skintern-scd: question-only records, a privileged teacher prompt, its self targets, resume."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_train_resume import Killed, kill_at
from test_trainer import adapter, config, log_rows
from train_fixtures import make_examples, write_run

from skintern.train import stage
from skintern.train.context import build_context
from skintern.train.encode import encode_records
from skintern.train.methods import methods
from skintern.train.methods.base import cot_prompt
from skintern.train.self_targets import self_soft_targets

SCD = "skintern-scd"


def records(run_dir: Path, step: int, **settings):
    method = methods.get(SCD)
    ctx = build_context(method, method.settings_model(**settings), run_dir, make_examples())
    return method, ctx, [r for e in make_examples() for r in method.train_records(e, ctx, step)]


def test_student_sees_the_question_alone_and_the_teacher_the_full_prompt(run_dir: Path):
    _, ctx, step_1 = records(run_dir, 1)
    _, _, step_2 = records(run_dir, 2)
    questions = {e.id: cot_prompt(e) for e in make_examples()}
    for record in step_1 + step_2:
        assert record.prompt == questions[record.id]
        full = ctx.curriculum.rows[1][record.id][0]["prompt"]
        assert record.teacher_prompt == full and len(full) > len(record.prompt)
    # `step`: the teacher reads the step's own prompt; the last is the question: no teacher
    _, _, fading = records(run_dir, 2, teacher_context="step")
    assert all(r.teacher_prompt is None for r in fading)


def test_self_targets_match_the_models_own_distribution(run_dir: Path, tiny):
    method, ctx, step_1 = records(run_dir, 1)
    encoded, _ = encode_records(step_1[:3], tiny.tokenizer, 512, {})
    scored = self_soft_targets(
        tiny.model, encoded, 8, tiny.tokenizer.pad_token_id, torch.autograd.grad_mode.no_grad
    )
    for before, after in zip(encoded, scored, strict=True):
        assert after.soft is not None and len(after.soft) == after.completion_tokens
        assert len(after.soft.ids[0]) == 8 and after.soft.logprobs[0][0] <= 0
        assert after.prompt_ids == before.prompt_ids  # the student's prompt is untouched
    # the first target token's top-1 is the model's argmax after the teacher prompt
    first = scored[0]
    ids = torch.tensor([first.teacher_prompt_ids])
    with torch.no_grad():
        logits = tiny.model(input_ids=ids).logits[0, -1]
    assert first.soft.ids[0][0] == int(logits.argmax())


def test_training_logs_the_kl_and_saves_each_steps_targets(run_dir: Path):
    stage.run(config(method=SCD, max_examples=4), run_dir)
    rows = log_rows(run_dir, SCD)
    assert [r["schedule_step"] for r in rows if r.get("event") == "self_targets"] == [1, 2]
    losses = [r for r in rows if "loss" in r]
    assert losses and all(r["kl"] >= 0 and r["kl"] < r["loss"] for r in losses)
    saved = sorted(p.name for p in (run_dir / "train" / SCD / "checkpoints").glob("self-*"))
    assert saved == ["self-targets-step-1.pt", "self-targets-step-2.pt"]


def test_killed_within_a_step_and_resumed_equals_uninterrupted(tmp_path: Path):
    settings = {"method": SCD, "batch_size": 2, "checkpoint_every": 3}
    whole, killed = write_run(tmp_path / "whole"), write_run(tmp_path / "killed")
    stage.run(config(**settings), whole)
    with pytest.raises(Killed):
        stage.run(config(**settings), killed, on_step=kill_at(6))  # step 2's second update
    stage.run(config(**settings), killed)
    first, second = adapter(whole, SCD), adapter(killed, SCD)
    for key in first:
        torch.testing.assert_close(first[key], second[key], rtol=1e-5, atol=1e-7)
    resumed = [r for r in log_rows(killed, SCD) if r.get("event") == "self_targets"]
    assert [r["schedule_step"] for r in resumed] == [1, 2]  # step 2's were read back, not redone

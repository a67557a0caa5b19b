"""Soft targets: the sparse KL against a dense reference, packing, and the loss that uses them."""

from __future__ import annotations

import math

import pytest
import torch

from skintern.train.encode import Encoded, collate
from skintern.train.loss import CompletionLoss
from skintern.train.soft import Distill, SoftTargets, pack, sparse_kl


def dense_kl(teacher_logits: torch.Tensor, student_logits: torch.Tensor) -> torch.Tensor:
    p = torch.log_softmax(teacher_logits.double(), -1)
    q = torch.log_softmax(student_logits.double(), -1)
    return (p.exp() * (p - q)).sum(-1)


def top(teacher_logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    found = torch.log_softmax(teacher_logits, -1).topk(k, -1)
    return found.indices, found.values


def test_full_vocabulary_top_k_is_the_dense_kl_and_its_gradient():
    torch.manual_seed(0)
    teacher, student = torch.randn(6, 50), torch.randn(6, 50, requires_grad=True)
    ids, logprobs = top(teacher, 50)
    ours = sparse_kl(student, ids, logprobs)
    reference = dense_kl(teacher, student)
    # the tail bucket is floored at 1e-7 of mass: that is the whole difference
    torch.testing.assert_close(ours.double(), reference, atol=1e-5, rtol=1e-5)
    (grad,) = torch.autograd.grad(ours.sum(), student)
    (ref_grad,) = torch.autograd.grad(dense_kl(teacher, student).sum(), student)
    torch.testing.assert_close(grad.double(), ref_grad.double(), atol=1e-5, rtol=1e-4)


def test_top_k_with_a_tail_bucket_is_the_exact_kl_over_the_buckets():
    torch.manual_seed(1)
    teacher, student = torch.randn(4, 30), torch.randn(4, 30)
    ids, logprobs = top(teacher, 5)
    ours = sparse_kl(student, ids, logprobs)
    p = torch.softmax(teacher.double(), -1)
    q = torch.softmax(student.double(), -1)
    for row in range(4):
        pk, qk = p[row, ids[row]], q[row, ids[row]]
        pb = torch.cat([pk, (1 - pk.sum()).reshape(1)])
        qb = torch.cat([qk, (1 - qk.sum()).reshape(1)])
        expected = (pb * (pb.log() - qb.log())).sum()
        assert ours[row].item() == pytest.approx(expected.item(), rel=1e-4, abs=1e-6)


def test_temperature_scales_by_its_square_and_identical_sides_give_zero():
    torch.manual_seed(2)
    logits = torch.randn(3, 40)
    ids, logprobs = top(logits, 8)
    for t in (0.5, 1.0, 2.0):
        assert sparse_kl(logits, ids, logprobs, t).abs().max() < 1e-5
    other = torch.randn(3, 40)
    # at T = 1 the bucket KL is positive; a larger T flattens both sides (smaller KL / T^2)
    hot = sparse_kl(other, ids, logprobs, 4.0) / 16
    assert (hot < sparse_kl(other, ids, logprobs, 1.0)).all()


def test_positions_without_a_teacher_add_nothing_and_stay_finite():
    logits = torch.randn(3, 20, requires_grad=True)
    ids = torch.tensor([[1, 2], [-1, -1], [4, -1]])
    logprobs = torch.tensor([[-0.5, -1.5], [-math.inf, -math.inf], [-0.1, -math.inf]])
    kl = sparse_kl(logits, ids, logprobs)
    assert kl[1] == 0 and torch.isfinite(kl).all()
    (grad,) = torch.autograd.grad(kl.sum(), logits)
    assert torch.isfinite(grad).all() and grad[1].abs().sum() == 0


def test_pack_aligns_rows_with_completion_tokens():
    a = SoftTargets(((5, 6), (7, 8)), ((-0.1, -2.0), (-0.2, -3.0)))
    packed = pack([a, None], [3, 2])  # record 1: 3 completion tokens (2 with soft targets)
    assert packed["soft_ids"].tolist() == [[5, 6], [7, 8], [-1, -1], [-1, -1], [-1, -1]]
    assert packed["soft_logprobs"][2].isinf().all()


def test_loss_with_the_models_own_distribution_adds_no_kl(tiny):
    """Soft targets taken from the model itself on the same prompt: KL ~ 0, loss = CE."""
    tok = tiny.tokenizer
    prompt = tuple(tok("Question: two plus two?\nAnswer:")["input_ids"])
    target = tuple(tok(" It is four.")["input_ids"]) + (tok.eos_token_id,)
    plain = Encoded(prompt, target, 1.0, "rationale")
    batch = collate([plain], tok.pad_token_id)
    loss = CompletionLoss(tiny.model, Distill(kl_weight=1.0))
    with torch.no_grad():
        logits, _ = loss.completion_logits(
            batch["input_ids"], batch["attention_mask"], batch["labels"]
        )
        found = torch.log_softmax(logits, -1).topk(16, -1)
    soft = SoftTargets(
        tuple(map(tuple, found.indices.tolist())), tuple(map(tuple, found.values.tolist()))
    )
    distilled = collate([Encoded(prompt, target, 1.0, "rationale", soft)], tok.pad_token_id)
    with torch.no_grad():
        ce, _ = CompletionLoss(tiny.model)(**batch)
        total, _ = loss(**distilled)
    assert loss.last_kl.item() < 1e-5
    torch.testing.assert_close(total, ce, atol=1e-5, rtol=1e-5)


def test_a_batch_without_soft_targets_logs_no_kl_from_the_batch_before(tiny):
    tok = tiny.tokenizer
    prompt = tuple(tok("Question: one?\nAnswer:")["input_ids"])
    target = tuple(tok(" One.")["input_ids"]) + (tok.eos_token_id,)
    soft = SoftTargets(((5,), (6,), (7,)), ((-0.1,), (-0.1,), (-0.1,)))
    loss = CompletionLoss(tiny.model, Distill())
    with torch.no_grad():
        loss(**collate([Encoded(prompt, target, 1.0, "rationale", soft)], tok.pad_token_id))
        assert loss.last_kl > 0
        loss(**collate([Encoded(prompt, target, 1.0, "rationale")], tok.pad_token_id))
    assert loss.last_kl == 0

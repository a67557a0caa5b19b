"""Wrapping the student in LoRA, for training and for evaluation, without library noise."""

from __future__ import annotations

import warnings

import torch
from test_trainer import config

from skintern.train.model_setup import load_student


def test_wrapping_the_student_in_lora_raises_no_deprecation_warning():
    # peft reads transformers' deprecated `is_gradient_checkpointing` while it wraps a model
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        model, _ = load_student(config(), torch.device("cpu"))
    assert any("lora_A" in name for name, _ in model.named_parameters())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert model.is_gradient_checkpointing is False  # the filter is local: it still warns
    assert any("is_gradient_checkpointing" in str(w.message) for w in caught)

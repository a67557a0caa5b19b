"""The same checks over every registered method (read from the registry, not a hand-kept list)."""

from __future__ import annotations

from pathlib import Path

import pytest
from train_fixtures import make_examples

from skintern.records import FINAL_PHRASE
from skintern.train.config import TrainConfig
from skintern.train.context import build_context
from skintern.train.methods import methods
from skintern.train.methods.base import final_sentence

ALL = methods.names()


def context_for(name: str, run_dir: Path):
    cfg = TrainConfig(method=name, methods={"kard": {"passages": 2}})
    settings = getattr(cfg.methods, name)
    return build_context(methods.get(name), settings, run_dir, make_examples())


def test_registry_holds_every_method_of_the_paper():
    assert set(ALL) >= {
        "zero-shot", "zero-shot-cot", "few-shot-cot", "ft", "kaft", "std-cot", "mt-cot",
        "step-by-step", "kard", "cascod", "skintern",
    }  # fmt: skip


@pytest.mark.parametrize("name", ALL)
def test_method_contract(name: str, run_dir: Path):
    method = methods.get(name)
    ctx = context_for(name, run_dir)
    example = make_examples()[1]
    assert method.stages in (1, 2)
    prompts = []
    previous = ""
    for stage in range(1, method.stages + 1):
        prompt = method.inference_prompt(example, ctx, stage, previous)
        assert isinstance(prompt, str) and example.question in prompt
        prompts.append(prompt)
        previous = "Some rationale."
    steps = method.num_steps(ctx)
    records = [r for t in range(1, steps + 1) for r in method.train_records(example, ctx, t)]
    if not method.trains:
        assert records == []
        return
    assert records, f"{name} renders no record for an example with a rationale"
    assert all(r.id == example.id and r.prompt and r.target for r in records)
    # Every method teaches the final answer sentence somewhere; answers are extracted from it.
    assert any(r.target.endswith(final_sentence(example)) for r in records)
    # Training prompts of the last step are the inference prompt (or its stage-1 / stage-2 form).
    last = method.train_records(example, ctx, steps)
    assert {r.prompt for r in last} & set(prompts) or name == "cascod"


def test_std_cot_and_skintern_prompt_identically_at_inference(run_dir: Path):
    example = make_examples()[2]
    std = methods.get("std-cot").inference_prompt(example, context_for("std-cot", run_dir))
    ski = methods.get("skintern").inference_prompt(example, context_for("skintern", run_dir))
    assert std == ski
    assert "Learning Summary" not in ski and ski.endswith("Let's think step by step.")


def test_skintern_records_follow_the_schedule(run_dir: Path):
    ctx = context_for("skintern", run_dir)
    method, example = methods.get("skintern"), make_examples()[3]
    first, last = method.train_records(example, ctx, 1), method.train_records(example, ctx, 2)
    assert method.num_steps(ctx) == 2
    assert "Learning Summary" in first[0].prompt and "Learning Summary" not in last[0].prompt
    assert len(first[0].prompt) > len(last[0].prompt)
    assert last[0].prompt == method.inference_prompt(example, ctx)


def test_cascod_weights_and_two_stages(run_dir: Path):
    ctx = context_for("cascod", run_dir)
    method, example = methods.get("cascod"), make_examples()[0]
    assert method.loss_weights(ctx) == pytest.approx({"rationale": 0.7, "answer": 0.3})
    rationale, answer = method.train_records(example, ctx, 1)
    assert FINAL_PHRASE not in rationale.target and answer.kind == "answer"
    assert rationale.target in answer.prompt
    stage2 = method.inference_prompt(example, ctx, 2, f"My steps. {FINAL_PHRASE} 9.")
    assert "My steps." in stage2 and FINAL_PHRASE not in stage2


def test_kard_retrieves_passages_at_train_and_test_time(run_dir: Path):
    ctx = context_for("kard", run_dir)
    method, example = methods.get("kard"), make_examples()[0]  # a counting question
    prompt = method.inference_prompt(example, ctx)
    assert prompt.count("\n- ") == 2 and "counting" in prompt
    assert method.train_records(example, ctx, 1)[0].prompt == prompt


def test_few_shot_cot_uses_bbh_exemplars(run_dir: Path):
    from skintern.data.example import AnswerType, Example
    from skintern.paths import data_root

    try:
        root = data_root()
    except Exception as err:  # noqa: BLE001
        pytest.skip(f"shared data absent: {err}")
    example = Example("bbh/navigate/0", "bbh", "navigate", "Take 1 step. Return?", "No",
                      AnswerType.YES_NO)  # fmt: skip
    ctx = context_for("few-shot-cot", run_dir)
    prompt = methods.get("few-shot-cot").inference_prompt(example, ctx)
    assert prompt.count("\nA: ") == 4 and (root / "bbh").is_dir()


@pytest.mark.parametrize("name", ALL)
def test_method_owns_its_settings_and_declares_its_inputs(name: str):
    from skintern.config.reference import render
    from skintern.train.config import TrainConfig
    from skintern.train.methods.base import Input, PassageSettings

    method = methods.get(name)
    assert method.name == name and method.inputs <= set(Input)
    settings = method.settings_model
    assert settings.model_config.get("extra") == "forbid"
    assert isinstance(getattr(TrainConfig().methods, name), settings)  # train.methods.NAME
    if Input.PASSAGES in method.inputs:
        assert issubclass(settings, PassageSettings)
    if settings.model_fields:  # the reference shows them under the method's name
        assert f"## `train.methods.{name}`" in render()

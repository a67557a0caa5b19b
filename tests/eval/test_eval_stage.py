"""The eval stage on tiny-random: rows and metrics, resume, CasCoD's two stages, bad inputs."""

import json

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from skintern.data.example import AnswerType, Example
from skintern.data.stage import write_splits
from skintern.errors import DataError, ModelError, ResumeError
from skintern.eval import stage
from skintern.eval.config import EvalConfig
from skintern.models import load_model, peft_wrapping

QUESTIONS = [
    ("bbh", "navigate", "Take 2 steps. Turn around. Take 2 steps. Are you back?", "Yes", "yes_no"),
    ("bbh", "navigate", "Take 1 step. Take 1 step. Are you back?", "No", "yes_no"),
    ("bbh", "object_counting", "I have a cat and two dogs. How many animals?", "3", "number"),
    ("arc-e", "arc-e", "Which is a mammal?\nOptions:\n(A) shark\n(B) whale", "B", "option"),
    ("arc-e", "arc-e", "Water freezes at?\nOptions:\n(A) 0 C\n(B) 50 C", "A", "option"),
]


def write_run(root):
    tests: dict[str, list[Example]] = {}
    for i, (name, task, question, answer, kind) in enumerate(QUESTIONS):
        options = ("shark", "whale") if kind == "option" else ()
        example = Example(
            f"{name}/{task}/{i}", name, task, question, answer, AnswerType(kind), options
        )
        tests.setdefault(name, []).append(example)
    write_splits(root, {"test": tests})
    return root


def config(**overrides):
    fields = dict(
        model="tiny-random",
        methods=["zero-shot-cot"],
        max_new_tokens=6,
        batch_size=2,
        bootstrap_samples=50,
    )
    return EvalConfig(**{**fields, **overrides})


def lines(path):
    return path.read_text().splitlines()


def save_adapter(model, folder):
    torch.manual_seed(0)
    lora = LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"])
    with peft_wrapping():
        peft = get_peft_model(model, lora)
    peft.save_pretrained(folder)
    return folder


def test_writes_auditable_rows_metrics_and_resumes(tmp_path):
    run_dir = write_run(tmp_path)
    manifest = stage.run(config(), run_dir)
    preds = run_dir / "eval" / "zero-shot-cot" / "bbh" / "predictions.jsonl"
    rows = [json.loads(line) for line in lines(preds)]
    assert sorted(r["id"] for r in rows) == [
        "bbh/navigate/0",
        "bbh/navigate/1",
        "bbh/object_counting/2",
    ]
    row = rows[0]
    for key in ("prompt", "output", "extracted", "gold", "correct", "extractor", "latency_s"):
        assert key in row
    assert row["prompt"].endswith("Let's think step by step.")
    assert 0 < row["generated_tokens"] <= 6 and row["prompt_tokens"] > 10
    assert row["flops"] > row["prefill_flops"] > 0
    metrics = json.loads((preds.parent / "metrics.json").read_text())
    assert metrics["n"] == 3 and set(metrics["tasks"]) == {"navigate", "object_counting"}
    # tiny-random writes newlines only: empty outputs, scored wrong and counted, no crash
    assert metrics["correct"] == 0 and metrics["unparseable"] == 3 and metrics["empty_outputs"] == 3
    assert manifest["counts"] == {"arc-e": 2, "bbh": 3}
    assert manifest["reference"]["method"] == "zero-shot" and manifest["reference"]["n"] == 3
    assert manifest["methods"]["zero-shot-cot"]["relative_flops"] > 1  # CoT prompt is longer

    # interrupted: the last row half-written, one row missing; a rerun redoes only those two
    kept = lines(preds)
    preds.write_text(kept[0] + "\n" + kept[1][: len(kept[1]) // 2])
    stage.run(config(), run_dir)
    redone = lines(preds)
    assert redone[0] == kept[0] and len(redone) == 3
    assert sorted(json.loads(x)["id"] for x in redone) == sorted(json.loads(x)["id"] for x in kept)


@pytest.fixture(scope="module")
def talkative(tmp_path_factory):
    """tiny-random with larger weights, saved as a folder: it writes varied text, not newlines."""
    lm = load_model("tiny-random", dtype="float32")
    lm.model.config.initializer_range = 0.1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = LlamaForCausalLM(lm.model.config)
    folder = tmp_path_factory.mktemp("talkative")
    model.save_pretrained(folder)
    lm.tokenizer.save_pretrained(folder)
    return folder


def test_cascod_runs_two_stages_with_an_adapter(tmp_path, talkative):
    run_dir = write_run(tmp_path)
    base = load_model(str(talkative), dtype="float32")
    save_adapter(base.model, run_dir / "train" / "cascod" / "adapter")
    cfg = config(model=str(talkative), methods=["cascod"], datasets=["arc-e"], stop=[])
    stage.run(cfg, run_dir)
    preds = run_dir / "eval" / "cascod" / "arc-e" / "predictions.jsonl"
    rows = [json.loads(line) for line in lines(preds)]
    assert len(rows) == 2
    for row in rows:
        first, second = row["stages"]
        assert first["prompt"].startswith("Question:") and "Rationale:" in first["prompt"]
        assert second["prompt"].endswith("Answer:")
        assert len(first["output"]) > 5 and first["output"] in second["prompt"]
        assert row["prompt_tokens"] == first["prompt_tokens"] + second["prompt_tokens"]
        assert row["output"] == second["output"]


def test_resuming_under_other_settings_is_refused(tmp_path):
    run_dir = write_run(tmp_path)
    stage.run(config(datasets=["arc-e"]), run_dir)
    with pytest.raises(ResumeError, match="max_new_tokens: 6 -> 9"):
        stage.run(config(datasets=["arc-e"], max_new_tokens=9), run_dir)
    stage.run(config(datasets=["arc-e"], batch_size=1), run_dir)  # batch size changes nothing


def test_no_trained_model_is_a_clear_error(tmp_path):
    run_dir = write_run(tmp_path)
    with pytest.raises(ModelError, match="no trained model for method 'std-cot'") as err:
        stage.run(config(methods=["zero-shot-cot", "std-cot"]), run_dir)
    assert "train.method=std-cot" in err.value.hint
    assert not (run_dir / "eval" / "zero-shot-cot").exists()  # checked before any work


def test_adapter_from_another_base_model_is_a_clear_error(tmp_path):
    run_dir = write_run(tmp_path)
    other = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=300,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    )
    save_adapter(other, run_dir / "train" / "std-cot" / "adapter")
    with pytest.raises(ModelError, match="adapter was trained on another base model"):
        stage.run(config(methods=["std-cot"]), run_dir)


def test_empty_eval_dataset_is_a_clear_error(tmp_path):
    run_dir = write_run(tmp_path)
    (run_dir / "data" / "test" / "arc-e.jsonl").write_text("")
    with pytest.raises(DataError, match="no records") as err:
        stage.run(config(), run_dir)
    assert "arc-e.jsonl" in str(err.value)


def test_unknown_eval_dataset_names_the_known_ones(tmp_path):
    run_dir = write_run(tmp_path)
    with pytest.raises(DataError, match=r"\['gsm8k'\].*arc-e, bbh"):
        stage.run(config(datasets=["gsm8k"]), run_dir)


def test_vllm_backend_without_vllm_names_the_extra(tmp_path):
    try:
        import vllm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("vllm is installed here")
    run_dir = write_run(tmp_path)
    with pytest.raises(ModelError, match="vllm is not installed") as err:
        stage.run(config(backend="vllm"), run_dir)
    assert "skintern[vllm]" in err.value.hint

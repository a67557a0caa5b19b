"""`skintern export` of a tiny SKIntern student: the model card's transformers code, run as
written, prints what `skintern predict` answers; the adapter-only export loads with
`PeftModel.from_pretrained`; the named chat template wraps a bare question into the trained
prompt and leaves the default template as it was."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from pipeline_fixtures import tiny_config

from skintern.pipeline import run_pipeline
from skintern.pipeline.card_facts import example_questions
from skintern.pipeline.student import load, open_trained

# A learning rate that takes tiny-random's greedy output past blank lines, so that equal outputs
# say something (dropout off: the merged and unmerged students are the same function).
TRAINED = ["eval.methods=[skintern]", "train.lr=0.02", "schedule.epochs=6",
           "eval.max_new_tokens=24", "train.lora.dropout=0"]  # fmt: skip


def skintern(*args: str | Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "skintern", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("card") / "run"
    run_pipeline(tiny_config(*TRAINED), target, log=lambda _: None)
    return target


def export(run_dir: Path, name: str, *extra: str) -> Path:
    out = run_dir.parent / name
    done = skintern("export", "--run-dir", run_dir, "--out", out, *extra)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def merged(run_dir: Path) -> Path:
    return export(run_dir, "merged")


@pytest.fixture(scope="module")
def adapter(run_dir: Path) -> Path:
    return export(run_dir, "adapter", "--adapter-only")


@pytest.fixture(params=["merged", "adapter"])
def exported(request) -> Path:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def predicted(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """`skintern predict` on the card's example questions."""
    questions = tmp_path_factory.mktemp("questions") / "questions.jsonl"
    asked = example_questions(open_trained(run_dir))
    questions.write_text("".join(json.dumps({"task": t, "question": q}) + "\n" for t, q in asked))
    done = skintern("predict", "--run-dir", run_dir, "--file", questions, "--json")
    assert done.returncode == 0, done.stderr
    return [json.loads(chunk) for chunk in re.split(r"\n(?=\{)", done.stdout.strip())]


def card(folder: Path) -> tuple[dict, str]:
    text = (folder / "README.md").read_text()
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta), body


def test_card_code_prints_what_predict_answers(exported: Path, run_dir, predicted, tmp_path):
    _, body = card(exported)
    code = re.findall(r"```python\n(.*?)```", body, flags=re.S)[0]  # the transformers one
    (tmp_path / "snippet.py").write_text(code)
    ran = subprocess.run([sys.executable, "snippet.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    rows = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    asked = example_questions(open_trained(run_dir))
    assert [(r["task"], r["question"]) for r in rows] == asked and len(asked) == 5
    assert [r["rationale"] for r in rows] == [r["output"] for r in predicted]
    assert any(r["rationale"] for r in rows)  # not just blank outputs compared
    for ours, row in zip(rows, predicted, strict=True):
        assert (ours["answer"] is None) == (row["extracted"] is None)


def test_front_matter_and_results(exported: Path, run_dir: Path):
    meta, body = card(exported)
    adapter = exported.name == "adapter"
    assert meta["library_name"] == ("peft" if adapter else "transformers")
    assert meta["pipeline_tag"] == "text-generation"
    assert meta["license"] == "apache-2.0"  # tiny-random's, as its alias says
    assert "base_model" not in meta  # tiny-random is on no hub
    assert {"skintern", "knowledge-distillation"} <= set(meta["tags"])
    metrics = json.loads((run_dir / "eval" / "skintern" / "metrics.json").read_text())
    accuracy = metrics["datasets"]["synthetic"]["accuracy"]
    assert re.search(rf"\| skintern \| {100 * accuracy:.1f} ", body)
    assert "trained_prompt" in body and "Teacher: `gold`" in body
    assert "vllm serve" in body and "from vllm import LLM" in body


def test_named_template_beside_the_unchanged_default(exported: Path):
    from transformers import AutoTokenizer

    from skintern.models import load_tokenizer

    tokenizer = AutoTokenizer.from_pretrained(exported)
    base = load_tokenizer("tiny-random")
    assert set(tokenizer.chat_template) == {"default", "trained_prompt"}
    assert tokenizer.chat_template["default"] == base.chat_template
    question = [{"role": "user", "content": "( True and False ) is"}]
    plain = tokenizer.apply_chat_template(question, tokenize=False)
    trained = tokenizer.apply_chat_template(
        question, chat_template="trained_prompt", task="boolean_expressions", tokenize=False
    )
    assert plain == base.apply_chat_template(question, tokenize=False)
    assert "Question: ( True and False ) is\nAnswer: Let's think step by step." in trained
    with pytest.raises(Exception, match="object_counting"):  # two tasks: task= is required
        tokenizer.apply_chat_template(question, chat_template="trained_prompt", tokenize=False)
    meta = json.loads((exported / "skintern.json").read_text())
    assert meta["chat_template"] == "trained_prompt"
    assert set(meta["prompts"]) == {"boolean_expressions", "object_counting"}


def test_adapter_loads_with_peft_as_the_merged_model(run_dir: Path, adapter: Path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from skintern.models import resolve

    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(resolve("tiny-random"))
    base = AutoModelForCausalLM.from_pretrained(resolve("tiny-random"))
    model = PeftModel.from_pretrained(base, adapter).eval()
    merged = load(open_trained(run_dir)).model  # what skintern predict answers with
    ids = torch.tensor([[1, 400, 500, 600, 700]])
    with torch.inference_mode():
        torch.testing.assert_close(model(ids).logits, merged(ids).logits, rtol=1e-4, atol=1e-4)


def test_adapter_only_needs_an_adapter(run_dir: Path, tmp_path: Path):
    from skintern.errors import ConfigError
    from skintern.pipeline.export import write_adapter

    trained = open_trained(run_dir)
    trained.checkpoint = tmp_path  # what a fully fine-tuned method has: no adapter_config.json
    with pytest.raises(ConfigError, match="fully fine-tuned"):
        write_adapter(trained, tmp_path / "out", "base")

"""`skintern predict` and `skintern export` on a tiny-random run: the exported folder loads with
plain transformers and answers greedily exactly as `skintern predict` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from skintern.config import RunConfig, load_config
from skintern.data.loaders.synthetic_knowledge import KNOWLEDGE
from skintern.models import load_model
from skintern.pipeline import run_pipeline
from skintern.pipeline.student import load, open_trained

ROOT = Path(__file__).resolve().parents[2]
TASKS = "[object_counting, boolean_expressions]"
TINY = [
    "student=tiny-random",
    "eval.methods=[std-cot]",  # no curriculum needed: the quickest trained run
    f"data.train=[{{name: synthetic, tasks: {TASKS}, limit: 4}}]",
    f"data.test=[{{name: synthetic, tasks: {TASKS}, limit: 1}}]",
    "schedule.epochs=1",
    "train.progress=false",
    "eval.max_new_tokens=10",
]
QUESTION = "I have two apples, a drum, and three cows. How many fruits do I have?"


def skintern(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skintern", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("predict") / "run"
    cfg = load_config(RunConfig, ROOT / "configs" / "demo.yaml", TINY)
    run_pipeline(cfg, target, log=lambda _: None)
    return target


def test_export_loads_with_plain_transformers_and_matches_predict(tmp_path, run_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "export"
    done = skintern("export", "--run-dir", str(run_dir), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert {"model.safetensors", "config.json", "generation_config.json"} <= {
        p.name for p in out.iterdir()
    }
    assert not list(tmp_path.glob(".export.*"))  # no temporary folder left behind

    answer = skintern("predict", "--run-dir", str(run_dir), "--json", QUESTION)
    assert answer.returncode == 0, answer.stderr
    row = json.loads(answer.stdout)
    assert row["task"] == "object_counting"  # guessed from the training questions' words

    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out)
    generation = model.generation_config
    assert generation.do_sample is False and generation.max_new_tokens == 10
    assert tokenizer.chat_template  # prompts render as the student was trained
    meta = json.loads((out / "skintern.json").read_text())
    prompt = meta["example_prompt"].replace("{question}", QUESTION)
    prompt = prompt.replace("{task description}", KNOWLEDGE["object_counting"].description)
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    assert ids.shape[1] == row["prompt_tokens"]  # the same prompt predict built
    new = model.generate(ids)[0, ids.shape[1] :]
    plain = tokenizer.decode(new, skip_special_tokens=True).strip()
    assert len(new) == row["generated_tokens"] and plain.startswith(row["output"])
    # tiny-random's greedy text is mostly newlines, so also compare what decides it: the logits
    # of the exported model equal those of the student predict uses, and differ from the base
    student = load(open_trained(run_dir))
    with torch.inference_mode():
        ours = model(ids).logits
        theirs = student.model(ids).logits
        base = load_model("tiny-random").model(ids).logits
    assert torch.equal(ours, theirs)
    assert not torch.allclose(ours, base, atol=1e-4)


def test_predict_prints_rationale_and_answer_from_a_file(tmp_path, run_dir):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"question": QUESTION, "task": "object_counting", "answer": "2"},
        {"question": "( True and False ) is"},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = skintern("predict", "--run-dir", str(run_dir), "--file", str(questions))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("rationale") == 2 and done.stdout.count("answer:") == 2
    assert "boolean_expressions" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "--run-dir", "{tmp}/none", "q?"], "run directory not found"),
        (["predict", "--run-dir", "{run}", "--method", "skintern", "q?"], "was not trained"),
        (["predict", "--run-dir", "{run}"], "no question given"),
        (["predict", "--run-dir", "{run}", "--file", "{tmp}/none.jsonl"], "file not found"),
        (["predict", "--run-dir", "{run}", "--task", "navigate", "q?"], "not one the run"),
        (["export", "--run-dir", "{run}", "--out", "{tmp}/full"], "not an empty folder"),
        (["export", "--run-dir", "{tmp}", "--out", "{tmp}/x"], "no trained method"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, run_dir, args, message, monkeypatch, capsys):
    from skintern.cli import main

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    monkeypatch.setattr(
        sys, "argv", ["skintern", *(a.format(tmp=tmp_path, run=run_dir) for a in args)]
    )
    with pytest.raises(SystemExit) as exited:  # the console script's own entry point
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert err.startswith("error:") and message in err, err
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    assert not (tmp_path / "x").exists()

"""`skintern curriculum export --format trl` on a tiny run: the files load with `datasets` in
TRL's conversational prompt-completion format, TRL's SFTTrainer tokenizes a record into the
prompt and target ids skintern's encoder trains on, and the README's script trains every step
with TRL as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_fixtures import tiny_config

from skintern.curriculum import stage as curriculum_stage
from skintern.data import stage as data_stage
from skintern.data.stage import read_split
from skintern.pipeline.runner import write_config
from skintern.pipeline.trl_data import step_records
from skintern.teacher import stage as teacher_stage
from skintern.train.context import build_context
from skintern.train.encode import encode_records
from skintern.train.methods import methods


def skintern(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "skintern", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def curriculum_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data, teacher and curriculum of the tiny demo (no training), with its config.yaml."""
    run_dir = tmp_path_factory.mktemp("trl") / "run"
    cfg = tiny_config("train.batch_size=8")  # one optimizer step per schedule step in TRL
    write_config(cfg, run_dir)
    data_stage.run(cfg.data, run_dir)
    teacher_stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir)
    curriculum_stage.run(cfg.curriculum, run_dir)
    return run_dir


@pytest.fixture(scope="module")
def exported(curriculum_run: Path) -> Path:
    out = curriculum_run.parent / "trl"
    done = skintern("curriculum", "export", "--format", "trl", "--run-dir", curriculum_run,
                    "--out", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_every_step_is_a_trl_conversational_dataset(exported: Path, curriculum_run: Path):
    from datasets import load_dataset
    from trl.data_utils import is_conversational

    manifest = json.loads((exported / "manifest.json").read_text())
    curriculum = json.loads((curriculum_run / "curriculum" / "manifest.json").read_text())
    assert [s["S_t"] for s in manifest["steps"]] == [s["S_t"] for s in curriculum["steps"]]
    assert [s["epochs"] for s in manifest["steps"]] == [1, 1, 1]
    for step in manifest["steps"]:
        data = load_dataset("json", data_files=str(exported / step["file"]), split="train")
        assert data.column_names == ["prompt", "completion"] and len(data) == step["records"]
        row = data[0]
        assert is_conversational(row)
        assert [m["role"] for m in row["prompt"]] == ["user"]
        assert [m["role"] for m in row["completion"]] == ["assistant"]
        assert row["completion"][0]["content"].rstrip().endswith(".")  # "... the answer is X."
    first = load_dataset("json", data_files=str(exported / "step-1.jsonl"), split="train")[0]
    assert "Learning Summary" in first["prompt"][0]["content"]  # S_1 = 1: knowledge shown


def test_trl_tokenizes_a_record_as_skintern_trains_it(exported: Path, curriculum_run, tmp_path):
    from datasets import load_dataset
    from trl import SFTConfig, SFTTrainer

    from skintern.models import load_model

    tiny = load_model("tiny-random")
    cfg = tiny_config("train.batch_size=8").train
    method = methods.get("skintern")
    examples = read_split(curriculum_run, "train")
    ctx = build_context(method, cfg.methods.skintern, curriculum_run, examples)
    ours, _ = encode_records(step_records(method, ctx, examples, 1), tiny.tokenizer, 4096, {})
    data = load_dataset("json", data_files=str(exported / "step-1.jsonl"), split="train")
    args = SFTConfig(output_dir=str(tmp_path / "sft"), max_length=4096, bf16=False)
    trainer = SFTTrainer(model=tiny.model, args=args, train_dataset=data,
                         processing_class=tiny.tokenizer)  # fmt: skip
    theirs = trainer.train_dataset
    assert len(theirs) == len(ours)
    for row, encoded in zip(theirs, ours, strict=True):
        trained = [label != -100 for label in row["labels"]]  # TRL's completion-only loss
        start = trained.index(True)
        assert all(trained[start:])
        assert row["input_ids"][:start] == list(encoded.prompt_ids)
        completion = row["input_ids"][start:]
        target = list(encoded.target_ids)  # the target, then EOS (SmolLM2's <|im_end|>)
        assert completion[: len(target)] == target
        assert tiny.tokenizer.decode(completion[len(target) :]) == "\n"  # the template's tail


def test_the_readme_script_trains_every_step_with_trl(exported: Path):
    readme = (exported / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (exported / "train_trl.py").write_text(code)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # TRL's CPU loss kernels thrash on a busy box
    done = subprocess.run([sys.executable, "train_trl.py"], cwd=exported, capture_output=True,
                          text=True, timeout=600, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert (exported / "trl-student" / "adapter_config.json").is_file()


@pytest.mark.parametrize(
    ("requested", "argument"),
    [("fp32", "bf16=False"), ("bf16", "bf16=True"), ("fp16", "fp16=True"), ("auto", None)],
)
def test_the_script_computes_in_the_precision_skintern_trains_in(requested, argument):
    from skintern.models.precision import resolve_precision
    from skintern.pipeline.trl_readme import precision_arg

    cfg = tiny_config(f"train.precision={requested}").train
    if argument is None:  # what `auto` picks on this machine (no GPU here)
        argument = f"bf16={resolve_precision('auto', on_gpu=False) == 'bf16'}"
    assert precision_arg(cfg).startswith(f"{argument},  # skintern's train.precision=")


def test_a_method_with_weighted_records_is_refused(curriculum_run: Path, tmp_path: Path):
    done = skintern("curriculum", "export", "--run-dir", curriculum_run, "--out",
                    tmp_path / "x", "--method", "cascod")  # fmt: skip
    assert done.returncode == 1 and "weighs its records" in done.stderr, done.stderr
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x.*"))

"""`skintern eval harness` on a tiny finished run: lm-eval, fed the same prompts, generates what
`skintern eval` generated, and skintern's extractor on its raw output gives the same accuracy;
lm-eval's own regex and stops are told apart on real outputs; user errors are one message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skintern.data.example import Example
from skintern.models.decoding import Decoding
from skintern.pipeline.harness import HarnessOptions, run_harness
from skintern.pipeline.harness.compare import compare_row, summarize_rows
from skintern.pipeline.harness.run import lm_eval_score


def skintern(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skintern", *args], capture_output=True, text=True, env=env
    )


@pytest.fixture(scope="module")
def harnessed(finished: Path) -> dict:
    done = skintern("eval", "harness", "--run-dir", str(finished))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((finished / "eval" / "harness" / "summary.json").read_text())


def test_aligned_accuracy_equals_skintern_eval(finished: Path, harnessed: dict):
    assert set(harnessed["methods"]) == {"std-cot", "skintern"}
    for method, datasets in harnessed["methods"].items():
        for dataset, s in datasets.items():
            ours = json.loads((finished / "eval" / method / dataset / "metrics.json").read_text())
            assert s["n"] == ours["n"] == 6
            assert s["prompt_mismatches"] == 0  # lm-eval sent exactly skintern's model input
            assert s["output_mismatches"] == 0  # and generated the same text, greedily
            assert s["accuracy"]["aligned"] == pytest.approx(100 * ours["accuracy"])
            assert s["accuracy"]["ours"] == pytest.approx(100 * ours["accuracy"])
            assert s["lm_eval_reported"] == pytest.approx(s["accuracy"]["lm_eval"])
            gap = s["accuracy"]["lm_eval"] - s["accuracy"]["ours"]
            assert sum(s["terms"].values()) == pytest.approx(gap)
    task = finished / "eval" / "harness" / "skintern" / "synthetic"
    assert {"docs.jsonl", "task.yaml", "comparison.jsonl"} <= {p.name for p in task.iterdir()}
    assert "dataset_path: json" in (task / "task.yaml").read_text()


def test_report_shows_the_comparison(finished: Path, harnessed: dict):
    assert "Second opinion: lm-evaluation-harness" in (finished / "report.md").read_text()
    text = (finished / "eval" / "harness" / "harness.md").read_text()
    assert "| std-cot | synthetic | 6 |" in text
    assert "prompts identical on 6/6, generations identical on 6/6" in text


def test_merged_weights_in_memory(finished: Path, tmp_path: Path):
    run_dir = tmp_path / "run"
    shutil.copytree(finished, run_dir)
    summary = run_harness(run_dir, HarnessOptions(["std-cot"], load="merged", limit=1))
    (s,) = summary["methods"]["std-cot"].values()
    assert summary["settings"]["load"] == "merged"
    assert s["n"] == 2 and s["prompt_mismatches"] == 0


NUMBER = Example(
    id="t/0", dataset="t", task="object_counting", question="?", answer="7", answer_type="number"
)
PROMPT = "Question: ?\nAnswer: Let's think step by step."


@pytest.mark.parametrize(
    ("raw", "verdicts"),
    [
        # all agree: the answer sentence ends with a full stop, then EOS
        ("3 + 4 = 7.\nTherefore, the answer is 7.", (True, True, True)),
        # lm-eval's regex drops the last character when no full stop follows ("7" -> "")
        ("Therefore, the answer is 7", (True, False, False)),
        # lm-eval does not stop at the finished answer: its regex reads on ("7. Then ...")
        ("Therefore, the answer is 7. Then we add 2", (True, True, False)),
    ],
)
def test_regex_and_stop_differences_are_told_apart(raw: str, verdicts: tuple[bool, ...]):
    doc = {"plain_prompt": PROMPT, "prompt": PROMPT, "target": "7"}
    sampling = Decoding(max_new_tokens=16, stop=("\n\nQuestion:",))
    cut = raw.split(" Then")[0]
    ours = {"prompt": PROMPT, "output": cut, "extracted": "7", "correct": True}
    sample = {"resps": [[raw]], "filtered_resps": ["?"], "exact_match": float(verdicts[2])}
    row = compare_row(NUMBER, doc, ours, sample, sampling, lm_eval_score())
    assert (row["aligned"], row["lm_cut"], row["lm_eval"]) == verdicts
    assert row["output_same"]
    summary = summarize_rows([row])
    assert summary["terms"]["regex"] == (0 if verdicts[1] else -100)
    assert summary["terms"]["stop"] == (-100 if verdicts[1] and not verdicts[2] else 0)


def test_no_trained_method_is_one_message(tmp_path: Path):
    done = skintern("eval", "harness", "--run-dir", str(tmp_path))
    assert done.returncode == 1
    assert "error:" in done.stderr and "no trained method" in done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr


def test_untrained_method_is_one_message(finished: Path):
    done = skintern("eval", "harness", "--run-dir", str(finished), "--method", "kard")
    assert done.returncode == 1
    assert "was not trained in this run" in done.stderr and "Traceback" not in done.stderr


def test_missing_extra_names_it(finished: Path, tmp_path: Path):
    fake = tmp_path / "lm_eval"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('simulated: not installed')\n")
    path = [str(tmp_path), *sys.path]
    done = skintern(
        "eval",
        "harness",
        "--run-dir",
        str(finished),
        env={**os.environ, "PYTHONPATH": ":".join(path)},
    )
    assert done.returncode == 1
    assert "lm-eval) is not installed" in done.stderr
    assert "pip install 'skintern[harness]'" in done.stderr and "Traceback" not in done.stderr

"""benchmarks/reproduce_bbh_small.py's collect + report on a finished tiny run: the README numbers
are read from the copied result files, and the paired test is the one over their predictions."""

import importlib.util
import json
import sys

from pipeline_fixtures import ROOT

from skintern.eval.paired import correctness, mcnemar
from skintern.files import read_jsonl


def _script():
    spec = importlib.util.spec_from_file_location(
        "reproduce_bbh_small", ROOT / "benchmarks" / "reproduce_bbh_small.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_collect_then_report(finished, tmp_path):
    script = _script()
    results = tmp_path / "results"
    for name in ("std-cot", "skintern"):
        folder = script.collect(script.BY_NAME[name], finished, f"cmd {name}", 1.0, results)
        assert (folder / "metrics.json").is_file() and (folder / "train_manifest.json").is_file()
        assert not list(folder.rglob("*.safetensors"))  # measurements only, never checkpoints
        rows = read_jsonl(folder / "synthetic" / "predictions.jsonl")
        assert rows and all("prompt" not in row for row in rows)  # no copies of the questions
    text = script.report(results, tmp_path / "summary.md")

    assert (tmp_path / "summary.md").read_text() == text
    assert (results / "accuracy_vs_flops.png").read_bytes()[:4] == b"\x89PNG"
    metrics = json.loads((results / "skintern" / "metrics.json").read_text())
    row = next(line for line in text.splitlines() if line.startswith("| skintern |"))
    assert f"| {100 * metrics['average']:.1f} |" in row
    assert "Not run yet: zero-shot-cot, kard" in text

    answers = {
        name: correctness(
            r
            for dataset in ("synthetic",)
            for r in read_jsonl(results / name / dataset / "predictions.jsonl")
        )
        for name in ("skintern", "std-cot")
    }
    expected = mcnemar(answers["skintern"], answers["std-cot"])
    paired = next(line for line in text.splitlines() if line.startswith("| skintern vs std-cot"))
    assert paired.endswith(f"| {expected['p_value']:.3f} |")
    assert f"{expected['a_only']} / {expected['b_only']}" in paired

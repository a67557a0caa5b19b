"""Reports from small fixture run directories: tables, JSON, PNG plots, compare, bad input."""

import json

import pytest

from skintern.errors import DataError
from skintern.eval.metrics import aggregate, summarize
from skintern.report import stage
from skintern.rundir import write_json

PNG = b"\x89PNG\r\n\x1a\n"


def rows(dataset, task_hits, prompt_tokens):
    """Prediction rows: `task_hits` maps task -> list of correct flags."""
    out = []
    for task, hits in task_hits.items():
        for i, hit in enumerate(hits):
            out.append(
                {
                    "id": f"{dataset}/{task}/{i}",
                    "task": task,
                    "correct": hit,
                    "extracted": "A" if hit else None,
                    "output": "x",
                    "finish": "answer",
                    "extractor": "option",
                    "extractor_version": 1,
                    "prompt_tokens": prompt_tokens,
                    "generated_tokens": 10,
                    "latency_s": 0.5,
                    "prefill_flops": 100 * prompt_tokens,
                    "flops": 100 * prompt_tokens + 1000,
                }
            )
    return out


def write_eval(run_dir, methods, reference_flops=2400, with_log=True):
    """A run directory as `skintern eval` leaves it, for `methods`: name -> prompt tokens."""
    summary = {}
    for name, tokens in methods.items():
        per = {
            "bbh": summarize(rows("bbh", {"navigate": [1, 1, 0], "sports": [1, 0, 0]}, tokens), 50),
            "arc-e": summarize(rows("arc-e", {"arc-e": [1, 1, 1, 0]}, tokens), 50),
        }
        overall = aggregate(per, ["bbh", "gsm8k"])
        summary[name] = overall
        write_json(run_dir / "eval" / name / "metrics.json", {**overall, "datasets": per})
    reference = {
        "method": "zero-shot",
        "dataset": "bbh",
        "model": "m",
        "n": 6,
        "prompt_tokens": 24,
        "prefill_flops": reference_flops,
    }
    write_json(
        run_dir / "eval" / "manifest.json",
        {"config": {"in_domain": ["bbh", "gsm8k"]}, "reference": reference, "methods": summary},
    )
    if with_log:
        log = run_dir / "train" / "skintern" / "train_log.jsonl"
        log.parent.mkdir(parents=True)
        lines = [json.dumps({"event": "step_start", "schedule_step": 1})]
        lines += [
            json.dumps(
                {
                    "global_step": g,
                    "schedule_step": 1 + g // 5,
                    "S_t": 1 - (g // 5) / 3,
                    "loss": 3.0 / (g + 1),
                }
            )
            for g in range(20)
        ]
        log.write_text("\n".join(lines) + '\n{"global_step": 20, "lo')  # being written
    return run_dir


def test_report_of_one_run(tmp_path):
    run_dir = write_eval(tmp_path / "r1", {"zero-shot-cot": 4, "skintern": 4, "kard": 16})
    stage.run([run_dir])
    md = (run_dir / "report.md").read_text()
    report = json.loads((run_dir / "report.json").read_text())
    # Table 1 shape: ID dataset first, then OOD, Avg and Rel. FLOPs
    assert "| Method | bbh (ID) | arc-e (OOD) | Avg | Rel. FLOPs | unparseable |" in md
    assert "| skintern | 50.0 [" in md
    kard = next(r for r in report["methods"] if r["method"] == "kard")
    assert kard["relative_flops"] == pytest.approx(6 * 16 * 100 / 2400)
    assert kard["average"] == pytest.approx((0.5 + 0.75) / 2)
    assert "## bbh: accuracy per task (%)" in md and "| navigate | 3 |" in md
    for name in ("accuracy_vs_flops", "training_loss", "task_accuracy"):
        png = run_dir / "plots" / f"{name}.png"
        assert png.read_bytes()[:8] == PNG and f"plots/{name}.png" in md


def test_compare_puts_runs_side_by_side_with_one_flops_unit(tmp_path):
    small = write_eval(tmp_path / "small", {"skintern": 4}, reference_flops=2400)
    big = write_eval(tmp_path / "big", {"skintern": 4}, reference_flops=9600, with_log=False)
    stage.run([small, big], compare=True, out=tmp_path / "cmp")
    report = json.loads((tmp_path / "cmp" / "report.json").read_text())
    labels = [r["label"] for r in report["methods"]]
    assert labels == ["small/skintern", "big/skintern"]
    assert report["flops_unit"] == 2400  # the smallest student's reference
    assert "| big/skintern |" in (tmp_path / "cmp" / "report.md").read_text()


def test_run_without_training_log_has_no_loss_plot(tmp_path):
    run_dir = write_eval(tmp_path / "r", {"zero-shot-cot": 4}, with_log=False)
    stage.run([run_dir])
    assert not (run_dir / "plots" / "training_loss.png").exists()
    assert "Training loss by schedule step: no data" in (run_dir / "report.md").read_text()


def test_run_without_eval_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no evaluation results") as err:
        stage.run([tmp_path])
    assert "skintern eval" in err.value.hint


def test_cli_report_and_its_error_message(tmp_path):
    from typer.testing import CliRunner

    from skintern.cli import app

    run_dir = write_eval(tmp_path / "r", {"std-cot": 4})
    result = CliRunner().invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "report.md").is_file()
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert result.exit_code != 0 and isinstance(result.exception, DataError)

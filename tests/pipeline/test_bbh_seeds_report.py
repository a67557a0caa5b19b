"""benchmarks/bbh_seeds.py's collect + report on a finished tiny run, two seeds of one arm: the
summary's numbers come from the copied files, and the comparison is the paired bootstrap's."""

import importlib.util
import json
import sys
from itertools import pairwise

from pipeline_fixtures import ROOT

from skintern.eval.paired import correctness, paired_bootstrap
from skintern.files import read_jsonl
from skintern.report.findings import bbh_line, finding, shipped_finding


def _load(name: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))  # the scripts import their siblings
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _scored(folder, accuracy: float, ood: float | None = None) -> None:
    """A run folder with only its accuracies, as pilots and variant choice read them."""
    folder.mkdir(parents=True, exist_ok=True)
    metrics = {"in_domain": {"average": accuracy}, "out_of_domain": {"average": ood}}
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_collect_then_report_pools_seeds(finished, tmp_path):
    script, report = _load("reproduce_bbh_small"), _load("bbh_seeds_report")
    results = tmp_path / "bbh-seeds"
    for arm, seed in (("std-cot", 0), ("std-cot", 1), ("skintern", 0)):
        variant = script.Variant(f"seed-{seed}", arm, (), f"about {arm}")
        (results / arm).mkdir(parents=True, exist_ok=True)
        script.collect(variant, finished, f"cmd {arm}", 1.0, results / arm)
    text = report.report(results, tmp_path / "bbh-seeds.md", tmp_path / "finding.json")

    summary = json.loads((results / "summary.json").read_text())
    assert summary["arms"]["std-cot"]["seeds"] == [0, 1]
    metrics = json.loads((results / "std-cot" / "seed-0" / "metrics.json").read_text())
    bbh = 100 * metrics["in_domain"]["average"]
    assert summary["arms"]["std-cot"]["bbh"] == [round(bbh, 2)] * 2
    assert summary["arms"]["std-cot"]["bbh_sd"] == 0
    unread = metrics["datasets"]["synthetic"]["unparseable"] / metrics["datasets"]["synthetic"]["n"]
    assert summary["arms"]["std-cot"]["unparseable"] == 100 * unread
    assert summary["n_train_records"] > 0 and summary["n_test"]
    (comparison,) = [c for c in summary["comparisons"] if c["a"] == "skintern"]
    answers = {
        arm: correctness(read_jsonl(results / arm / "seed-0" / "synthetic" / "predictions.jsonl"))
        for arm in ("skintern", "std-cot")
    }
    expected = paired_bootstrap([answers["skintern"]], [answers["std-cot"]] * 2)
    assert comparison["diff"] == expected["diff"] and comparison["p"] == expected["p"]
    assert f"{bbh:.1f} ± 0.0" in text and "skintern vs std-cot" in text
    for plot in ("accuracy_vs_flops.png", "loss_curves.png"):
        assert (results / plot).read_bytes()[:4] == b"\x89PNG"
    found = json.loads((tmp_path / "finding.json").read_text())
    assert found["comparisons"] == [
        {k: comparison[k] for k in ("a", "b", "diff", "p")}
    ]  # skintern vs kard is not a line for the demo: only comparisons against Std-CoT
    line = bbh_line(found)
    assert f"SKIntern (paper) {summary['arms']['skintern']['bbh_mean']:.1f} %" in line
    assert "seeds 1 vs 2" in line


def test_the_shipped_finding_is_the_committed_summarys():
    """`skintern demo` prints the finding the package carries; it must be the committed
    summary's (rerun `python benchmarks/bbh_seeds.py report` after new results)."""
    summary = json.loads((ROOT / "benchmarks/results/bbh-seeds/summary.json").read_text())
    assert shipped_finding() == finding(summary)


def test_the_line_says_beats_ties_or_loses_by_the_paired_p():
    arms = {"skintern": {"seeds": 3, "bbh": 44.0}, "std-cot": {"seeds": 3, "bbh": 40.0}}
    found = {"arms": arms, "best_variant": None, "comparisons": []}
    assert "no comparison" in bbh_line(found)
    for diff, p, word in ((4.0, 0.01, "beats"), (-4.0, 0.01, "loses to"), (4.0, 0.2, "ties with")):
        found["comparisons"] = [{"a": "skintern", "b": "std-cot", "diff": diff, "p": p}]
        assert f"SKIntern (paper) 44.0 % {word} Std-CoT 40.0 %" in bbh_line(found)


def test_a_longer_trained_variant_is_also_judged_against_std_cot_at_its_epochs():
    """The warm start trains 14 epochs to Std-CoT's 8: the demo's line must carry the equal-epoch
    comparison beside the one against Std-CoT, and still leave out KARD (against Std-CoT or
    SKIntern: the line is about SKIntern and our variants)."""
    comparisons = [
        {"a": "skintern", "b": "std-cot", "diff": -1.4, "p": 0.53, "ci": [-6.0, 3.0]},
        {"a": "skintern-warm-start", "b": "std-cot", "diff": 8.2, "p": 0.002, "ci": [3, 13]},
        {"a": "kard", "b": "std-cot", "diff": -3.5, "p": 0.2, "ci": [-9, 2]},
        {"a": "skintern", "b": "kard", "diff": 2.0, "p": 0.4, "ci": [-3, 7]},
        {"a": "skintern-warm-start", "b": "std-cot-14-epochs", "diff": -1.4, "p": 0.64},
    ]
    arms = {
        name: {"seeds": list(range(seeds)), "bbh_mean": bbh}
        for name, seeds, bbh in (
            ("skintern", 3, 38.1),
            ("std-cot", 3, 39.5),
            ("kard", 1, 36.0),
            ("skintern-warm-start", 1, 47.7),
            ("std-cot-14-epochs", 1, 49.1),
        )
    }
    summary = {"arms": arms, "best_variant": "skintern-warm-start", "comparisons": comparisons}
    found = finding(summary)
    assert [(c["a"], c["b"]) for c in found["comparisons"]] == [
        ("skintern", "std-cot"),
        ("skintern-warm-start", "std-cot"),
        ("skintern-warm-start", "std-cot-14-epochs"),
    ]
    assert "kard" not in found["arms"]
    line = bbh_line(found)
    assert (
        "our best variant, skintern-warm-start, 47.7 % beats Std-CoT 39.5 % "
        "(+8.2 points, paired p = 0.002," in line
    )
    assert (
        "; skintern-warm-start 47.7 % ties with Std-CoT trained as long (14 epochs) 49.1 % "
        "(-1.4 points, paired p = 0.64, seeds 1 vs 1)"
    ) in line


def test_arms_trained_on_different_cpus_are_named_in_the_report():
    report = _load("bbh_seeds_report")
    one = {"arms": {"std-cot": {"cpus": ["AMD EPYC"]}, "zero-shot-cot": {"cpus": []}}}
    assert report.machines(one) == ""
    both = ["AMD EPYC", "Intel Xeon"]
    two = {"arms": {"std-cot": {"cpus": both}, "kard": {"cpus": ["AMD EPYC"]}}}
    text = report.machines(two)
    assert "AMD EPYC: `std-cot`, `kard`" in text and "Intel Xeon: `std-cot`" in text


def test_the_spread_of_one_arms_seeds_in_cpu_seconds_is_reported():
    report = _load("bbh_seeds_report")
    arms = {
        "std-cot": {"cpus": ["Intel Xeon"], "train_cpu_seconds_per_seed": [1800.0, 2160.0]},
        "kard": {"cpus": ["Intel Xeon"], "train_cpu_seconds_per_seed": [3000.0]},
    }
    text = report.machines({"arms": arms})
    assert "`std-cot` 1,800-2,160 CPU-s (up to 20 % apart)" in text and "kard" not in text
    arms["std-cot"]["train_cpu_seconds_per_seed"] = [1800.0]
    assert report.machines({"arms": arms}) == ""
    arms["std-cot"]["cpu_ms_per_token_per_seed"] = [3.7, 5.2]
    assert "per training token, by seed: `std-cot` 3.7, 5.2 (within" in report.machines(
        {"arms": arms}
    )


def test_the_kl_pilot_gates_the_scd_arm_until_complete_and_picked(tmp_path, monkeypatch):
    script = _load("bbh_seeds")
    kl = script.PILOTS["kl"]
    assert len(kl.values) >= 2

    def score(value: str, accuracy: float) -> None:
        _scored(tmp_path / "pilot" / f"kl-{value}" / "seed-0", accuracy)

    low, high = sorted(kl.values, key=float)[:2]
    score(low, 0.40)
    assert "no results for" in script.pilot_pick(kl, tmp_path)
    for value in kl.values:
        score(value, 0.40 if value in (low, high) else 0.30)
    monkeypatch.setattr(script, "SCD_KL", low)  # low and high tie: the larger wins
    assert f"picked {high} (40.0 %), not {low}" in script.pilot_pick(kl, tmp_path)
    monkeypatch.setattr(script, "SCD_KL", high)
    assert script.pilot_pick(kl, tmp_path) is None


def test_the_best_variant_gets_three_seeds_once_every_variant_has_seed_0(tmp_path):
    script, report = _load("bbh_seeds"), _load("bbh_seeds_report")

    def score(arm: str, accuracy: float) -> None:
        _scored(tmp_path / arm / "seed-0", accuracy)

    def extra_seeds() -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for arm, seed in script.plan(tmp_path):
            if seed:
                found.setdefault(arm.name, []).append(seed)
        return found

    first, *others = report.OURS
    score(first, 0.40)
    assert report.best_variant(tmp_path) == first
    assert first not in extra_seeds()  # the others have not run: no choice yet
    for accuracy, arm in enumerate(others):
        score(arm, 0.41 + accuracy / 100)
    assert report.best_variant(tmp_path, complete=True) == others[-1]
    assert extra_seeds() == {"std-cot": [1, 2], "skintern": [1, 2], others[-1]: [1, 2]}


def test_a_tie_on_bbh_goes_to_the_better_out_of_domain_average(tmp_path):
    report = _load("bbh_seeds_report")
    first, second, *_ = report.OURS
    _scored(tmp_path / first / "seed-0", 0.40, ood=0.13)
    _scored(tmp_path / second / "seed-0", 0.40, ood=0.21)
    assert report.best_variant(tmp_path) == second
    _scored(tmp_path / first / "seed-0", 0.40, ood=0.25)
    assert report.best_variant(tmp_path) == first


def test_no_grad_tokens_are_the_self_teachers_passes_only():
    report = _load("bbh_seeds_report")
    log = [
        {"event": "self_targets", "schedule_step": 1, "tokens": 300},
        {"epoch": 0, "batch": 0, "loss": 1.0, "tokens": 40},
        {"event": "self_targets", "schedule_step": 2, "tokens": 200},
    ]
    assert report._no_grad_tokens(log) == 500


def test_every_arm_and_pilot_point_is_a_valid_run_config():
    """An override typo would otherwise surface only when its hour-long arm starts."""
    from skintern.config import RunConfig, load_config

    seeds = _load("bbh_seeds")
    points = [(arm.method, arm.overrides) for arm in seeds.ARMS] + [
        (pilot.method, (f"{pilot.key}={value}", seeds.PILOT_DATA))
        for pilot in seeds.PILOTS.values()
        for value in pilot.values
    ]
    for method, overrides in points:
        assert seeds.registered(method), method
        cmd = seeds.command(seeds.Arm("a", method, overrides), 0, None)
        config = load_config(RunConfig, ROOT / seeds.CONFIG, cmd[cmd.index("--run-dir") + 2 :])
        assert config.eval.methods == [method]


def test_status_lists_committed_and_pending_arm_seeds(tmp_path):
    script = _load("bbh_seeds")
    folder = tmp_path / "std-cot" / "seed-0"
    _scored(folder, 0.409)
    (folder / "run.json").write_text(json.dumps({"wall_seconds": 1650.0}))
    lines = script.status(tmp_path)
    assert lines[0] == "done     std-cot/seed-0: BBH 40.9 %, 28 min"
    assert "to run   std-cot/seed-1" in lines and "to run   skintern/seed-0" in lines
    assert len(lines) == len(script.plan(tmp_path)) + 1  # + the best variant's seeds, not yet known
    ahead = tmp_path / "skintern-scd" / "seed-1"  # run before the best variant is known
    _scored(ahead, 0.40)
    (ahead / "run.json").write_text(json.dumps({"wall_seconds": 3360.0}))
    assert "done     skintern-scd/seed-1: BBH 40.0 %, 56 min" in script.status(tmp_path)


def test_the_loss_plot_marks_each_epochs_mean_loss_at_its_last_step():
    report = _load("bbh_seeds_report")
    rows = [
        {"global_step": 1, "schedule_step": 1, "epoch": 0, "loss": 1.0},
        {"global_step": 2, "schedule_step": 1, "epoch": 0, "loss": 0.5},
        {"global_step": 3, "schedule_step": 1, "epoch": 1, "loss": 0.25},
        {"global_step": 4, "schedule_step": 2, "epoch": 0, "loss": 0.75},
        {"global_step": 5, "schedule_step": 2, "epoch": 0, "loss": 0.25},
    ]
    assert report.epoch_means(rows) == [(2, 0.75), (3, 0.25), (5, 0.5)]


def test_each_verdict_gives_the_cost_in_training_tokens_and_cpu_time():
    report = _load("bbh_seeds_report")
    arm = {"train_tokens": 100.0, "train_cpu_seconds": 10.0, "flops_rel": 2.0}
    untrained = {"train_tokens": None, "train_cpu_seconds": None, "flops_rel": 2.0}
    a = {"train_tokens": 250.0, "train_cpu_seconds": 40.0, "flops_rel": 5.0}
    arms = {"a": a, "b": arm, "zero": untrained}
    comparison = {"diff": 5.0, "p": 0.01, "ci95": [1.0, 9.0], "mde": 6.0}
    summary = {"arms": arms, "comparisons": [{"a": "a", "b": "b", **comparison},
                                             {"a": "a", "b": "zero", **comparison}]}  # fmt: skip
    first, second = report.verdict(summary).splitlines()
    assert first.startswith("- `a` beats `b` on BBH: +5.0 points")
    assert first.endswith(
        ", at x2.50 its training tokens, x4.00 its training CPU time and x2.50 its inference FLOPs."
    )
    assert second.endswith("points), at x2.50 its inference FLOPs.")  # untrained: no training cost


def test_a_p_value_below_a_thousandth_reads_the_same_in_table_and_verdict():
    report = _load("bbh_seeds_report")
    arm = {"train_tokens": None, "train_cpu_seconds": None, "flops_rel": 2.0}
    pair = {"a": "a", "b": "b", "n": 350, "seeds_a": 3, "seeds_b": 3}
    pair |= {"diff": 7.8, "ci95": [3.4, 12.3], "p": 0.0006, "mde": 6.3}
    summary = {"arms": {"a": arm, "b": arm}, "comparisons": [pair]}
    assert "(95 % CI [+3.4, +12.3], p < 0.001; this design" in report.verdict(summary)
    assert "| +7.8 | [+3.4, +12.3] | < 0.001 | 6.3 |" in report.comparison_table(summary)
    summary["comparisons"][0]["p"] = 0.0312
    assert "p = 0.031; this design" in report.verdict(summary)


def test_labels_of_arms_at_one_cost_and_accuracy_do_not_overlap():
    report = _load("bbh_seeds_report")
    points = {"a": (2.24, 39.5), "b": (2.26, 38.1), "c": (2.27, 38.3), "far": (6.2, 38.2)}
    heights = report.label_heights(points, gap=1.6)
    assert heights["b"] == 38.1 and heights["far"] == 38.2  # the lowest and a lone point stay put
    near = sorted(heights[n] for n in ("a", "b", "c"))
    assert all(upper - lower >= 1.6 - 1e-9 for lower, upper in pairwise(near))

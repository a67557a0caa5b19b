"""The report of `bbh_seeds.py`: summary.json, a Table-1-shaped Markdown section and plots, read
only from the committed result folders benchmarks/results/bbh-seeds/ARM/seed-N/.

    python benchmarks/bbh_seeds.py report
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from reproduce_bbh_small import markdown_table

from skintern.eval.paired import correctness, paired_bootstrap
from skintern.files import read_json, read_jsonl
from skintern.report.findings import finding, verdict_word

# the warm start trains 14 epochs to the others' 8: its last pair compares it at equal epochs
PAIRS = [
    ("skintern", "std-cot"),
    ("best", "std-cot"),
    ("kard", "std-cot"),
    ("skintern", "kard"),
    ("skintern-warm-start", "std-cot-14-epochs"),
]
OURS = ("skintern-no-examples-one-lr", "skintern-scd", "skintern-warm-start")
ORDER = (
    "zero-shot-cot",
    "std-cot",
    "std-cot-2-epochs",
    "std-cot-14-epochs",
    "kard",
    "skintern",
    *OURS,
)


def load_seed(folder: Path) -> dict[str, Any]:
    """One arm-seed's measurements: metrics, answers by dataset, manifests, training log."""
    metrics = read_json(folder / "metrics.json")
    answers = {
        d: correctness(read_jsonl(folder / d / "predictions.jsonl")) for d in metrics["datasets"]
    }
    train = folder / "train_manifest.json"
    log = folder / "train_log.jsonl"
    return {
        "metrics": metrics,
        "answers": answers,
        "run": read_json(folder / "run.json"),
        "eval": read_json(folder / "eval_manifest.json"),
        "train": read_json(train) if train.is_file() else None,
        "log": read_jsonl(log) if log.is_file() else [],
    }


def load_arms(results: Path) -> dict[str, dict[int, dict[str, Any]]]:
    """arm -> seed -> measurements, arms in ORDER (others after, by name); the pilot excluded."""
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for run_json in sorted(results.glob("*/seed-*/run.json")):
        arm = run_json.parent.parent.name
        seed = int(run_json.parent.name.removeprefix("seed-"))
        found.setdefault(arm, {})[seed] = load_seed(run_json.parent)
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _sd(values: list[float]) -> float | None:
    return statistics.stdev(values) if len(values) > 1 else None


def _unparseable(run: dict[str, Any], in_domain: list[str]) -> float:
    """% of in-domain answers no extractor could read: a half-learned answer format."""
    parts = [run["metrics"]["datasets"][d] for d in in_domain]
    return 100 * sum(p["unparseable"] for p in parts) / sum(p["n"] for p in parts)


def _no_grad_tokens(log: list[dict[str, Any]]) -> int:
    """Tokens read with no gradient (skintern-scd's self-teacher passes over the full prompts):
    compute that the training tokens leave out."""
    return sum(row["tokens"] for row in log if row.get("event") == "self_targets")


def arm_summary(seeds: dict[int, dict[str, Any]], in_domain: list[str]) -> dict[str, Any]:
    """Per-seed accuracies and their mean / sd, per-task means, cost (means over seeds)."""
    runs = [seeds[s] for s in sorted(seeds)]
    bbh = [100 * r["metrics"]["in_domain"]["average"] for r in runs]
    ood = [
        100 * r["metrics"]["out_of_domain"]["average"]
        for r in runs
        if r["metrics"]["out_of_domain"]["average"] is not None
    ]
    tasks: dict[str, list[float]] = {}
    for r in runs:
        for d in in_domain:
            for task, m in r["metrics"]["datasets"][d]["tasks"].items():
                tasks.setdefault(task, []).append(100 * m["accuracy"])
    trained = [r["train"] for r in runs if r["train"]]
    cpu_seconds = [t["cpu_seconds"] for t in trained if "cpu_seconds" in t]
    unit = runs[0]["eval"]["reference"]["prefill_flops"] / runs[0]["eval"]["reference"]["n"]
    per = runs[0]["metrics"]["datasets"]
    n = sum(per[d]["n"] for d in in_domain)
    return {
        "seeds": sorted(seeds),
        "about": runs[0]["run"]["about"],
        "command": runs[0]["run"]["command"],
        "bbh": [round(x, 2) for x in bbh],
        "bbh_mean": _mean(bbh),
        "bbh_sd": _sd(bbh),
        "ood": [round(x, 2) for x in ood],
        "ood_mean": _mean(ood),
        "per_task": {t: _mean(v) for t, v in tasks.items()},
        "unparseable": _mean([_unparseable(r, in_domain) for r in runs]),
        "train_tokens": _mean([t["tokens"] for t in trained]),
        "no_grad_tokens": _mean([_no_grad_tokens(r["log"]) for r in runs if r["train"]]),
        "train_seconds": _mean([t["seconds"] for t in trained]),
        "train_cpu_seconds": _mean(cpu_seconds),
        "train_cpu_seconds_per_seed": cpu_seconds,
        "cpu_ms_per_token_per_seed": [
            round(1000 * t["cpu_seconds"] / t["tokens"], 2)
            for t in trained
            if "cpu_seconds" in t and t["tokens"]
        ],
        "cpus": sorted({t["hardware"]["cpu"] for t in trained}),
        "prefill_flops_rel": sum(per[d]["prefill_flops"] for d in in_domain) / n / unit,
        "flops_rel": sum(per[d]["flops"] for d in in_domain) / n / unit,
    }


def best_variant(results: Path, complete: bool = False) -> str | None:
    """Our variant with the best seed-0 BBH accuracy (None before any has one; with `complete`,
    before every variant has one). Chosen on the test questions, so its seed 0 flatters it; the
    choice stays with seed 0 so that its unselected seeds 1-2 cannot unseat it. A tie on BBH goes
    to the better out-of-domain average: the variant that learned more than the tasks' format."""
    scores = {}
    for name in OURS:
        metrics = results / name / "seed-0" / "metrics.json"
        if metrics.is_file():
            found = read_json(metrics)
            ood = found.get("out_of_domain", {}).get("average")
            scores[name] = (found["in_domain"]["average"], -1.0 if ood is None else ood)
        elif complete:
            return None
    return max(scores, key=lambda name: scores[name]) if scores else None


def compare(
    loaded: dict[str, dict[int, dict[str, Any]]], a: str, b: str, in_domain: list[str]
) -> dict[str, Any]:
    """Paired bootstrap over in-domain questions, seeds pooled (`paired_bootstrap`)."""

    def side(arm: str) -> list[dict[str, bool]]:
        return [
            {k: v for d in in_domain for k, v in run["answers"][d].items()}
            for run in (loaded[arm][s] for s in sorted(loaded[arm]))
        ]

    return {"a": a, "b": b, **paired_bootstrap(side(a), side(b))}


def summarize(results: Path) -> dict[str, Any]:
    loaded = load_arms(results)
    if not loaded:
        raise SystemExit(f"no results under {results}: run `bbh_seeds.py run` first")
    first = next(iter(next(iter(loaded.values())).values()))
    in_domain = first["eval"]["config"]["in_domain"]
    arms = {name: arm_summary(seeds, in_domain) for name, seeds in loaded.items()}
    best = best_variant(results)
    comparisons = []
    for a, b in PAIRS:
        a = best if a == "best" else a
        if a in loaded and b in loaded:
            comparisons.append(compare(loaded, a, b, in_domain))
    # the same data for every arm: any trained arm-seed says how many records it trained on
    trained = [run for seeds in loaded.values() for run in seeds.values() if run["train"]]
    records = trained[0]["train"]["steps"][0]["records"] if trained else None
    return {
        "lr": trained[0]["train"]["config"]["lr"] if trained else None,
        "n_train_records": records,
        "n_test": first["eval"]["counts"],
        "in_domain": in_domain,
        "best_variant": best,
        "arms": arms,
        "comparisons": comparisons,
        "pilot": pilot_summary(results / "pilot", "lr"),
        "kl_pilot": pilot_summary(results / "pilot", "kl"),
    }


def pilot_summary(folder: Path, name: str) -> dict[str, float]:
    """The pilot's value -> validation accuracy (%): `lr` (Std-CoT's LR) or `kl` (skintern-scd's
    KL weight)."""
    found = {}
    for metrics in sorted(folder.glob(f"{name}-*/seed-0/metrics.json")):
        value = metrics.parent.parent.name.removeprefix(f"{name}-")
        found[value] = 100 * read_json(metrics)["in_domain"]["average"]
    return found


def _pm(mean: float | None, sd: float | None) -> str:
    if mean is None:
        return "-"
    return f"{mean:.1f}" + (f" ± {sd:.1f}" if sd is not None else "")


def accuracy_table(summary: dict[str, Any]) -> str:
    arms = summary["arms"]
    tasks = sorted({t for arm in arms.values() for t in arm["per_task"]})
    header = ["Method", "seeds", *tasks, "BBH (mean ± sd)", "unparseable", "OOD avg", "full FLOPs"]
    header += ["train tokens", "no-grad tokens", "train CPU-s"]
    body = []
    for name, arm in arms.items():
        body.append(
            [
                name,
                str(len(arm["seeds"])),
                *[_pm(arm["per_task"].get(t), None) for t in tasks],
                _pm(arm["bbh_mean"], arm["bbh_sd"]),
                _pm(arm["unparseable"], None),
                _pm(arm["ood_mean"], None),
                f"x{arm['flops_rel']:.2f}",
                "-" if arm["train_tokens"] is None else f"{arm['train_tokens']:,.0f}",
                f"{arm['no_grad_tokens']:,.0f}" if arm.get("no_grad_tokens") else "-",
                "-" if arm["train_cpu_seconds"] is None else f"{arm['train_cpu_seconds']:,.0f}",
            ]
        )
    return markdown_table(header, body)


def p_value(p: float) -> str:
    """ "0.431", or "< 0.001": three decimals are all that 10,000 bootstrap resamples resolve."""
    return f"{p:.3f}" if p >= 1e-3 else "< 0.001"


def p_clause(p: float) -> str:
    """ "p = 0.431" or "p < 0.001", for a sentence."""
    return f"p {p_value(p)}" if p < 1e-3 else f"p = {p_value(p)}"


def comparison_table(summary: dict[str, Any]) -> str:
    rows = [
        [
            f"{c['a']} vs {c['b']}",
            f"{c['seeds_a']} / {c['seeds_b']}",
            str(c["n"]),
            f"{c['diff']:+.1f}",
            f"[{c['ci95'][0]:+.1f}, {c['ci95'][1]:+.1f}]",
            p_value(c["p"]),
            f"{c['mde']:.1f}",
        ]
        for c in summary["comparisons"]
    ]
    header = ["a vs b", "seeds", "questions", "diff (points)", "95% CI", "p", "detectable"]
    return markdown_table(header, rows) if rows else "(no pair has results on both sides yet)"


def cost_ratio(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The cost clause of a verdict, "at xN its training tokens, xM its training CPU time and xK
    its inference FLOPs", with what both arms have: tokens before seconds, since they do not
    depend on the host; inference last, where KARD pays for its passages and SKIntern should not."""
    said = [
        f"x{a[key] / b[key]:.2f} its {what}"
        for key, what in (
            ("train_tokens", "training tokens"),
            ("train_cpu_seconds", "training CPU time"),
            ("flops_rel", "inference FLOPs"),
        )
        if a.get(key) and b.get(key)
    ]
    if not said:
        return ""
    return ", at " + (said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}")


def verdict(summary: dict[str, Any]) -> str:
    """One plain sentence per comparison: beats, ties or loses, at what cost."""
    arms, lines = summary["arms"], []
    for c in summary["comparisons"]:
        word = verdict_word(c["diff"], c["p"])
        cost = cost_ratio(arms[c["a"]], arms[c["b"]])
        lines.append(
            f"- `{c['a']}` {word} `{c['b']}` on BBH: {c['diff']:+.1f} points "
            f"(95 % CI [{c['ci95'][0]:+.1f}, {c['ci95'][1]:+.1f}], {p_clause(c['p'])}; this design "
            f"detects about {c['mde']:.1f} points){cost}."
        )
    return "\n".join(lines) if lines else "No comparison has results on both sides yet."


def machines(summary: dict[str, Any]) -> str:
    """Which CPU trained which arm (seconds compare only within one CPU, tokens across all), and
    how much the hosts behind one CPU name differ."""
    by_cpu: dict[str, list[str]] = {}
    for name, arm in summary["arms"].items():
        for cpu in arm["cpus"]:
            by_cpu.setdefault(cpu, []).append(f"`{name}`")
    text = ""
    if len(by_cpu) > 1:
        where = "; ".join(f"{cpu}: {', '.join(names)}" for cpu, names in by_cpu.items())
        text = (
            f"The arms trained on different CPUs ({where}), one per session: compare training "
            "seconds within one CPU only; training tokens compare across all."
        )
    said = " ".join(part for part in (text, host_spread(summary), per_token(summary)) if part)
    return said + "\n" if said else ""


def host_spread(summary: dict[str, Any]) -> str:
    """How far one arm's seeds lie apart in CPU seconds: the noise of the hosts behind one CPU
    name, below which a cost gap between arms means nothing."""
    spreads = {
        name: arm["train_cpu_seconds_per_seed"]
        for name, arm in summary["arms"].items()
        if len(arm.get("train_cpu_seconds_per_seed", [])) > 1
    }
    if not spreads:
        return ""
    ranges = ", ".join(f"`{n}` {min(v):,.0f}-{max(v):,.0f}" for n, v in spreads.items())
    most = max(max(v) / min(v) - 1 for v in spreads.values())
    return (
        f"Hosts differ within one CPU name too: one arm's seeds took {ranges} CPU-s (up to "
        f"{100 * most:.0f} % apart), so smaller gaps in cost are noise."
    )


def per_token(summary: dict[str, Any]) -> str:
    """CPU milliseconds per training token of each arm-seed: longer prompts cost more a token,
    but within one method a higher figure is a slower host or a run that shared its cores."""
    costs = {
        name: arm["cpu_ms_per_token_per_seed"]
        for name, arm in summary["arms"].items()
        if arm.get("cpu_ms_per_token_per_seed")
    }
    if not costs:
        return ""
    listed = "; ".join(f"`{n}` {', '.join(f'{c:.1f}' for c in v)}" for n, v in costs.items())
    return (
        f"CPU-ms per training token, by seed: {listed} (within one method or one prompt format, a "
        "higher figure is a slower host or a run that shared its cores)."
    )


def pilot_table(summary: dict[str, Any]) -> str:
    pilot = summary["pilot"]
    if not pilot:
        return "The LR pilot has not run yet."
    rows = [[lr, f"{pilot[lr]:.1f}"] for lr in sorted(pilot, key=float)]
    return markdown_table(["Std-CoT LR", "validation accuracy (%)"], rows)


def kl_pilot_table(summary: dict[str, Any]) -> str:
    """skintern-scd's KL weights on the same slice; weight 0 is Std-CoT at the arms' LR."""
    pilot = summary["kl_pilot"]
    if not pilot:
        return "The KL-weight pilot of `skintern-scd` has not run yet."
    rows = [[w, f"{pilot[w]:.1f}"] for w in sorted(pilot, key=float)]
    same_lr = [lr for lr in summary["pilot"] if float(lr) == summary["lr"]]
    for lr in same_lr:
        rows.insert(0, [f"0 (Std-CoT at lr {lr})", f"{summary['pilot'][lr]:.1f}"])
    return markdown_table(["skintern-scd KL weight", "validation accuracy (%)"], rows)


def label_heights(points: dict[str, tuple[float, float]], gap: float = 1.6) -> dict[str, float]:
    """Where each point's label goes (its accuracy, pushed up until it clears the labels below it
    at a similar FLOPs): arms at Std-CoT's cost lie within a point of each other."""
    placed: dict[str, float] = {}
    for name, (x, y) in sorted(points.items(), key=lambda kv: kv[1][1]):
        near = [placed[m] for m in placed if abs(points[m][0] / x - 1) < 0.15]
        placed[name] = max([y, *(h + gap for h in near)])
    return placed


def plot_accuracy(summary: dict[str, Any], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    arms = summary["arms"]
    heights = label_heights({n: (a["flops_rel"], a["bbh_mean"]) for n, a in arms.items()})
    for i, (name, arm) in enumerate(arms.items()):
        color = plt.get_cmap("tab10")(i % 10)
        x, y = arm["flops_rel"], arm["bbh_mean"]
        ax.errorbar(x, y, yerr=arm["bbh_sd"] or 0, fmt="o", color=color, capsize=3)
        ax.annotate(name, (x, y), xytext=(x * 1.04, heights[name]), fontsize=8, va="center",
                    arrowprops={"arrowstyle": "-", "color": color, "lw": 0.5})  # fmt: skip
    ax.set_ylim(top=max(ax.get_ylim()[1], max(heights.values()) + 1))  # room for the labels
    ax.set_xscale("log")
    ax.set_xlabel("inference FLOPs per BBH question, prompt + generated (x zero-shot prompt)")
    ax.set_ylabel("BBH accuracy (%), mean ± sd over seeds")
    ax.set_title("BBH seeds: accuracy against inference cost (SmolLM2-135M)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def epoch_means(rows: list[dict[str, Any]]) -> list[tuple[int, float]]:
    """(last optimizer step, mean loss) of each epoch of each schedule step, in training order:
    single steps' losses swing tenfold, an epoch's mean shows the trend."""
    epochs: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in rows:
        epochs.setdefault((r.get("schedule_step", 1), r["epoch"]), []).append(r)
    return [
        (max(r["global_step"] for r in group), sum(r["loss"] for r in group) / len(group))
        for group in epochs.values()
    ]


def plot_losses(loaded: dict[str, dict[int, dict[str, Any]]], out: Path) -> Path:
    """Training loss by optimizer step, seed 0 of each trained arm: each step faint, each epoch's
    mean marked, schedule boundaries dotted; line styles differ so that arms sharing a start (the
    warm start is SKIntern's first three steps, same seed) stay apart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (name, seeds) in enumerate(loaded.items()):
        log = seeds[min(seeds)]["log"]
        rows = [r for r in log if "loss" in r and "event" not in r]
        if not rows:
            continue
        color, style = plt.get_cmap("tab10")(i % 10), ("-", "--", "-.")[i % 3]
        ax.plot([r["global_step"] for r in rows], [r["loss"] for r in rows], color=color,
                lw=0.5, alpha=0.2)  # fmt: skip
        x, y = zip(*epoch_means(rows), strict=True)
        ax.plot(x, y, color=color, ls=style, marker="o", ms=3, lw=1.4, label=name)
        for r in log:
            if r.get("event") == "step_start" and r["global_step"]:
                ax.axvline(r["global_step"], color=color, ls=":", lw=0.6)
    ax.set_yscale("log")
    ax.set_xlabel("optimizer step (dotted: a schedule step begins)")
    ax.set_ylabel("training loss (completion tokens)")
    ax.set_title("BBH seeds: training loss, seed 0 of each arm (markers: epoch means)")
    ax.grid(alpha=0.3)
    if ax.get_lines():
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def report(results: Path, summary_md: Path, finding_json: Path | None = None) -> str:
    """Write summary.json, the plots, the Markdown section and (given its path) the finding
    `skintern demo` prints; returns the Markdown."""
    summary = summarize(results)
    (results / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if finding_json:
        finding_json.write_text(json.dumps(finding(summary), indent=2) + "\n", encoding="utf-8")
    accuracy = plot_accuracy(summary, results / "accuracy_vs_flops.png")
    losses = plot_losses(load_arms(results), results / "loss_curves.png")
    arms = "\n".join(f"- `{n}`: {a['about']}; `{a['command']}`" for n, a in summary["arms"].items())
    counts = ", ".join(f"{d} {n}" for d, n in summary["n_test"].items())
    rel = "benchmarks/results/bbh-seeds"
    n_records = summary["n_train_records"] or "the"  # known once an arm has trained
    text = f"""### bbh-seeds

Issue 15's experiment: SmolLM2-135M-Instruct, LoRA, seven BBH tasks, {n_records}
training records with correct code-davinci-002 rationales (`configs/bbh-seeds.yaml`), every arm
with the same data, LoRA, LR, batch and E = 8 (the warm start and its Std-CoT control: 14,
more compute; Std-CoT's other control: 2). Every number is
read from `{rel}/ARM/seed-N/` by `python benchmarks/bbh_seeds.py report`, which also writes
`{rel}/summary.json`; the runs come from `python benchmarks/bbh_seeds.py run`. Test questions:
{counts}. Accuracy in %, greedy decoding; "unparseable": the % of BBH answers none of the
extractors could read (a half-learned answer format); FLOPs per in-domain question relative to
the zero-shot prompt; training tokens (padding excluded), no-grad tokens (read by forward passes
only, about a third of a training token's compute each: `skintern-scd`'s self-teacher) and CPU
seconds (both cores together; a paused run is not charged) are means over seeds.
{machines(summary)}
{arms}

{accuracy_table(summary)}

Paired bootstrap over the in-domain questions, seeds pooled (each side's accuracy on a question is
its mean over its seeds; 10,000 resamples of the questions); "detectable" is the smallest
difference this design finds with 80 % power at alpha 0.05. The best variant
(`{summary["best_variant"]}`) is our variant with the best seed-0 accuracy (on a tie, the better
OOD average), chosen on these test questions: its seed 0 flatters it, its seeds 1 and 2 (run
because it was chosen) do not:

{comparison_table(summary)}

{verdict(summary)}

The LR pilot (Std-CoT, E = 8, scored on 15 training-split questions per task that no run trains on):

{pilot_table(summary)}

The KL-weight pilot of our `skintern-scd` (`python benchmarks/bbh_seeds.py pilot kl`, the same
slice, at the arms' LR); its arm trains at the best non-zero weight (weight 0 is Std-CoT itself,
an arm of its own):

{kl_pilot_table(summary)}

![accuracy against inference FLOPs]({rel}/{accuracy.name})

![training loss at the schedule boundaries]({rel}/{losses.name})

Training loss of each arm's seed 0: each optimizer step faint, each epoch's mean marked. The warm
start's first three schedule steps are SKIntern's with the same seed, so the two curves coincide
until SKIntern's last step begins.
"""
    summary_md.write_text(text, encoding="utf-8")
    return text

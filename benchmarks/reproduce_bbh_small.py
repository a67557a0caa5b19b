"""Issue 8: SKIntern vs Std-CoT vs KARD on BBH at small scale, with a real student and teacher.

    python benchmarks/reproduce_bbh_small.py run [VARIANT ...]   # train + evaluate what is missing
    python benchmarks/reproduce_bbh_small.py report              # tables, paired tests, plot

`run` trains and evaluates each variant with `skintern run --config configs/bbh-small.yaml` in its
own run directory (runs/bbh-small/VARIANT) and copies what it measured, not the checkpoints, to
benchmarks/results/bbh-small/VARIANT/. A variant whose results are there is skipped, so an
interrupted reproduction continues with the missing ones (`--force` redoes them).
`report` reads only those result folders and writes benchmarks/results/bbh-small.md (spliced into
the README by `python benchmarks/record.py --readme`) and benchmarks/results/bbh-small/*.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from skintern.report.tables import pct

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "configs/bbh-small.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "bbh-small"
SUMMARY = ROOT / "benchmarks" / "results" / "bbh-small.md"


@dataclass(frozen=True)
class Variant:
    name: str
    method: str
    overrides: tuple[str, ...] = ()
    about: str = ""


VARIANTS = [
    Variant(
        "zero-shot-cot",
        "zero-shot-cot",
        ("eval.batch_size=32",),  # its answers run to the token cap: bigger batches pay off
        'untuned student, "Let\'s think step by step"',
    ),
    Variant("std-cot", "std-cot", about="question -> teacher rationale"),
    Variant("kard", "kard", about="knowledge passages retrieved into the prompt, train and test"),
    Variant("skintern", "skintern", about="the paper's setting: linear S_t, T = 4, LR per step"),
    Variant(
        "skintern-one-lr",
        "skintern",
        ("train.schedule_scope=run",),
        "ours: one warm-up and cosine decay across all T steps",
    ),
    Variant(
        "skintern-no-examples",
        "skintern",
        ("curriculum.ablation=no-examples",),
        "ablation: knowledge only, no retrieved examples",
    ),
    Variant(
        "skintern-scd",
        "skintern-scd",
        about="ours: question-only student, self-context distillation from the full prompt",
    ),
    Variant(
        "std-cot-kd",
        "std-cot-kd",
        ("teacher.rationales.logprobs=20", "teacher.rationales.score_with=smollm2-135m"),
        "Std-CoT + KL to the top-20 of a local SmolLM2-135M reading code-davinci-002's text",
    ),
]
BY_NAME = {v.name: v for v in VARIANTS}
# (a, b) pairs of the paired tests: the paper's claims, then each change against its base.
PAIRS = [
    ("skintern", "std-cot"),
    ("skintern", "kard"),
    ("kard", "std-cot"),
    ("skintern-one-lr", "skintern"),
    ("skintern-one-lr", "std-cot"),
    ("skintern-no-examples", "skintern"),
    ("skintern-scd", "std-cot"),
    ("skintern-scd", "skintern"),
    ("std-cot-kd", "std-cot"),
]


# ---------------------------------------------------------------------------------------- run


def command(variant: Variant, threads: int | None) -> list[str]:
    cmd = ["skintern", "run", "--config", CONFIG, "--run-dir", f"runs/bbh-small/{variant.name}"]
    cmd += ["--threads", str(threads)] if threads else []
    return [*cmd, f"eval.methods=[{variant.method}]", *variant.overrides]


def run_variant(variant: Variant, threads: int | None, results: Path = RESULTS) -> None:
    cmd = command(variant, threads)
    print("$", " ".join(cmd), flush=True)
    started = time.time()
    # this interpreter's skintern, so that `.venv/bin/python benchmarks/...` works unactivated
    result = subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{variant.name}: `skintern run` failed (exit {result.returncode})")
    run_dir = ROOT / "runs" / "bbh-small" / variant.name
    collect(variant, run_dir, " ".join(cmd), time.time() - started, results)


def collect(variant: Variant, run_dir: Path, cmd: str, seconds: float, results: Path) -> Path:
    """Copy the measurements of one finished run into its result folder (atomically replaced)."""
    tmp = results / f".{variant.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    eval_dir = run_dir / "eval" / variant.method
    shutil.copytree(eval_dir, tmp, ignore=shutil.ignore_patterns("settings.json"))
    for predictions in tmp.glob("*/predictions.jsonl"):
        drop_prompts(predictions)
    shutil.copy(run_dir / "eval" / "manifest.json", tmp / "eval_manifest.json")
    shutil.copy(run_dir / "config.yaml", tmp / "config.yaml")
    train_dir = run_dir / "train" / variant.method
    for name, copy in (
        ("manifest.json", "train_manifest.json"),
        ("train_log.jsonl", "train_log.jsonl"),
    ):
        if (train_dir / name).is_file():
            shutil.copy(train_dir / name, tmp / copy)
    (tmp / "run.json").write_text(
        json.dumps(
            {
                "variant": variant.name,
                "method": variant.method,
                "about": variant.about,
                "command": cmd,
                "wall_seconds": round(seconds, 1),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "commit": _commit(),
            },
            indent=2,
        )
        + "\n"
    )
    final = results / variant.name
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    print(f"{variant.name}: results in {final}", flush=True)
    return final


def drop_prompts(path: Path) -> None:
    """Keep answers and scores, not the prompts: they quote the benchmark questions, which stay
    in the data folder (ids point back to them)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    text = "".join(
        json.dumps({k: v for k, v in row.items() if k != "prompt"}, ensure_ascii=False) + "\n"
        for row in rows
    )
    path.write_text(text, encoding="utf-8")


def _commit() -> str | None:
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or None


# ------------------------------------------------------------------------------------- report


def load_results(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every finished variant, in VARIANTS order: metrics, run info, train manifest, answers."""
    from skintern.eval.paired import correctness
    from skintern.files import read_json, read_jsonl

    found = {}
    for variant in VARIANTS:
        folder = results / variant.name
        if not (folder / "run.json").is_file():
            continue
        metrics = read_json(folder / "metrics.json")
        answers: dict[str, bool] = {}
        by_dataset: dict[str, dict[str, bool]] = {}
        for dataset in metrics["datasets"]:
            rows = read_jsonl(folder / dataset / "predictions.jsonl")
            by_dataset[dataset] = correctness(rows)
            answers.update(by_dataset[dataset])
        train = folder / "train_manifest.json"
        found[variant.name] = {
            "metrics": metrics,
            "run": read_json(folder / "run.json"),
            "eval": read_json(folder / "eval_manifest.json"),
            "train": read_json(train) if train.is_file() else None,
            "answers": answers,
            "by_dataset": by_dataset,
        }
    return found


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def accuracy_table(results: dict[str, dict[str, Any]]) -> str:
    """Paper Table 1's shape: in-domain tasks, OOD sets, averages, relative FLOPs, training cost."""
    first = next(iter(results.values()))
    in_domain = first["eval"]["config"]["in_domain"]
    datasets = list(first["metrics"]["datasets"])
    ood = [d for d in datasets if d not in in_domain]
    tasks = [(d, t) for d in in_domain for t in first["metrics"]["datasets"][d]["tasks"]]
    unit = first["eval"]["reference"]["prefill_flops"] / first["eval"]["reference"]["n"]
    header = ["Method", *[t for _, t in tasks], "/".join(in_domain) + " (ID, 95% CI)"]
    header += [f"{d} (OOD)" for d in ood]
    header += ["OOD avg", "Avg", "prompt FLOPs", "full FLOPs", "train s", "train tokens"]
    body = []
    for name, r in results.items():
        per = r["metrics"]["datasets"]
        n = sum(per[d]["n"] for d in in_domain)
        prompt = sum(per[d]["prefill_flops"] for d in in_domain) / n / unit
        full = sum(per[d]["flops"] for d in in_domain) / n / unit
        train = r["train"]
        body.append(
            [
                f"{name}",
                *[pct(per[d]["tasks"][t]["accuracy"]) for d, t in tasks],
                " / ".join(pct(per[d]["accuracy"], per[d].get("ci95")) for d in in_domain),
                *[pct(per[d]["accuracy"]) for d in ood],
                pct(r["metrics"]["out_of_domain"]["average"]),
                pct(r["metrics"]["average"]),
                f"x{prompt:.2f}",
                f"x{full:.2f}",
                "-" if not train else f"{train['seconds']:.0f}",
                "-" if not train else f"{train['tokens']:,}",
            ]
        )
    return markdown_table(header, body)


def paired_table(results: dict[str, dict[str, Any]]) -> str:
    from skintern.eval.paired import mcnemar

    first = next(iter(results.values()))
    in_domain = first["eval"]["config"]["in_domain"]
    body = []
    for a, b in PAIRS:
        if a not in results or b not in results:
            continue
        for scope in ("in-domain", "all"):
            pick = (lambda r: _subset(r, in_domain)) if scope == "in-domain" else _all
            test = mcnemar(pick(results[a]), pick(results[b]))
            body.append(
                [
                    f"{a} vs {b}",
                    scope,
                    str(test["n"]),
                    f"{pct(test['a_accuracy'])} vs {pct(test['b_accuracy'])}",
                    f"{test['a_only']} / {test['b_only']}",
                    f"{test['p_value']:.3f}",
                ]
            )
    header = ["Pair (a vs b)", "questions", "n", "accuracy a vs b", "only a / only b right", "p"]
    return markdown_table(header, body) if body else "(no pair has results for both sides yet)"


def _subset(result: dict[str, Any], datasets: list[str]) -> dict[str, bool]:
    return {k: v for d in datasets for k, v in result["by_dataset"].get(d, {}).items()}


def _all(result: dict[str, Any]) -> dict[str, bool]:
    return result["answers"]


def kard_ratio(results: dict[str, dict[str, Any]]) -> str:
    if "kard" not in results or "skintern" not in results:
        return "KARD or SKIntern has no results yet."
    in_domain = results["kard"]["eval"]["config"]["in_domain"]

    def per_question(name: str, key: str) -> float:
        per = results[name]["metrics"]["datasets"]
        return sum(per[d][key] for d in in_domain) / sum(per[d]["n"] for d in in_domain)

    prompt = per_question("kard", "prefill_flops") / per_question("skintern", "prefill_flops")
    full = per_question("kard", "flops") / per_question("skintern", "flops")
    return (
        "KARD / SKIntern inference FLOPs on the in-domain test set: "
        f"prompt (prefill) x{prompt:.2f}, prompt + generated x{full:.2f} "
        "(the paper: about x4 for the prompt)."
    )


def plot(results: dict[str, dict[str, Any]], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(results.values()))
    in_domain = first["eval"]["config"]["in_domain"]
    unit = first["eval"]["reference"]["prefill_flops"] / first["eval"]["reference"]["n"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (name, r) in enumerate(results.items()):
        per = r["metrics"]["datasets"]
        n = sum(per[d]["n"] for d in in_domain)
        x = sum(per[d]["flops"] for d in in_domain) / n / unit
        for key, marker in (("in_domain", "o"), ("out_of_domain", "s")):
            y = r["metrics"][key]["average"]
            if y is not None:
                ax.scatter(x, 100 * y, color=plt.get_cmap("tab10")(i), marker=marker, s=60)
        ax.annotate(name, (x, 100 * r["metrics"]["in_domain"]["average"]), fontsize=8,
                    xytext=(5, 4), textcoords="offset points")  # fmt: skip
    ax.scatter([], [], color="grey", marker="o", label="BBH in-domain avg")
    ax.scatter([], [], color="grey", marker="s", label="out-of-domain avg")
    ax.set_xscale("log")
    ax.set_xlabel("inference FLOPs per BBH question, prompt + generated (x zero-shot prompt)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("BBH small: accuracy against inference cost (SmolLM2-135M)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def report(folder: Path = RESULTS, summary: Path = SUMMARY) -> str:
    """Write `summary` (Markdown) and the plot from the result folders; returns the Markdown."""
    results = load_results(folder)
    if not results:
        raise SystemExit(f"no results under {folder}: run `run` first")
    figure = plot(results, folder / "accuracy_vs_flops.png")
    first = next(iter(results.values()))
    counts = ", ".join(f"{d} {n}" for d, n in first["eval"]["counts"].items())
    variants = "\n".join(
        f"- `{name}`: {r['run']['about']}; `{r['run']['command']}`" for name, r in results.items()
    )
    missing = [v.name for v in VARIANTS if v.name not in results]
    text = f"""### bbh-small

Issue 8's reproduction at small scale: SmolLM2-135M-Instruct trained with LoRA on four BBH tasks
from code-davinci-002's real rationales and the task knowledge bank (`{CONFIG}`), 2 CPU cores.
Every number below is read from `benchmarks/results/bbh-small/VARIANT/` by
`python benchmarks/reproduce_bbh_small.py report`; the results come from
`python benchmarks/reproduce_bbh_small.py run`. Test questions: {counts}.
Accuracy in %, one seed (0), greedy decoding; FLOPs per in-domain question relative to the
zero-shot prompt; training time on 2 cores, tokens counted with padding excluded.

{variants}
{"" if not missing else chr(10) + "Not run yet: " + ", ".join(missing) + "." + chr(10)}
{accuracy_table(results)}

{kard_ratio(results)}

Paired tests (McNemar, exact, two-sided) on the same questions:

{paired_table(results)}

![accuracy against inference FLOPs](benchmarks/results/bbh-small/{figure.name})
"""
    summary.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="train and evaluate the variants that have no results")
    run_parser.add_argument("variants", nargs="*", help=f"default: all ({', '.join(BY_NAME)})")
    run_parser.add_argument("--force", action="store_true", help="redo variants with results")
    run_parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    sub.add_parser("report", help="write benchmarks/results/bbh-small.md from the results")
    args = parser.parse_args()
    if args.action == "report":
        print(report())
        return
    unknown = [name for name in args.variants if name not in BY_NAME]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(BY_NAME)}")
    for variant in [BY_NAME[n] for n in args.variants] or VARIANTS:
        if (RESULTS / variant.name / "run.json").is_file() and not args.force:
            print(f"{variant.name}: results exist, skipped (--force to redo)", flush=True)
            continue
        run_variant(variant, args.threads)


if __name__ == "__main__":
    sys.exit(main())

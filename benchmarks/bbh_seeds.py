"""Issue 15: does internalization pay at small scale? Seven BBH tasks, every arm, seeds.

    python benchmarks/bbh_seeds.py pilot [lr|kl]         # a pilot on a validation slice
    python benchmarks/bbh_seeds.py run [ARM[/seed-N] ...] # train + evaluate what has no results
    python benchmarks/bbh_seeds.py report                # summary.json, tables, plots

`run` takes the arm-seeds in `PLAN` order (every arm's seed 0 first, then the extra seeds), each
with `skintern run --config configs/bbh-seeds.yaml` in its own run directory
(runs/bbh-seeds/ARM/seed-N), and copies what it measured, never checkpoints, to
benchmarks/results/bbh-seeds/ARM/seed-N/. An arm-seed with results there is skipped, so a stopped
experiment continues next session; one whose method is not registered yet is skipped with a word.
`report` reads only those folders: benchmarks/results/bbh-seeds/summary.json, the Markdown section
benchmarks/results/bbh-seeds.md (`python benchmarks/record.py --readme` splices it into the README),
the plots beside it, and src/skintern/report/bbh_seeds.json, the finding `skintern demo` prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from reproduce_bbh_small import Variant, collect

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "configs/bbh-seeds.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "bbh-seeds"
SUMMARY_MD = ROOT / "benchmarks" / "results" / "bbh-seeds.md"
FINDING = ROOT / "src" / "skintern" / "report" / "bbh_seeds.json"  # `skintern demo` prints it
TASKS = (
    "[sports_understanding, object_counting, boolean_expressions, date_understanding, navigate, "
    "web_of_lies, logical_deduction_three_objects]"
)
# Pilots score a validation slice of the training split (15 questions a task the run never trains
# on), never the test split. `lr`: Std-CoT at each LR of the paper's grid (Table 5 / A.2); every
# arm trains at the best (`train.lr` in the config). `kl`: our self-context distillation at two
# KL weights, at that LR; its arm trains at the best (SCD_KL below). Its weight 0 is Std-CoT, the
# LR pilot's run at that LR. Weight 1 is left out: it lost to Std-CoT on bbh-small (29.5 vs 44.5 %,
# p < 0.001) and the demo (45.0 vs 55.0), and a point costs ~45 minutes of the experiment's budget.
PILOT_DATA = f"data.test=[{{name: bbh, split: train, tasks: {TASKS}, sample: 15}}]"
SCD_KL_KEY = "train.methods.skintern-scd.kl_weight"
SCD_KL = "0.1"  # the kl pilot's pick; `run` checks it before the skintern-scd arm


@dataclass(frozen=True)
class Pilot:
    name: str
    method: str
    key: str
    values: tuple[str, ...]


PILOTS = {
    "lr": Pilot("lr", "std-cot", "train.lr", ("3e-4", "2e-4", "1e-4", "5e-5")),
    "kl": Pilot("kl", "skintern-scd", SCD_KL_KEY, ("0.3", "0.1")),
}


@dataclass(frozen=True)
class Arm:
    name: str
    method: str
    overrides: tuple[str, ...] = ()
    about: str = ""
    seeds: tuple[int, ...] = (0,)


ARMS = [
    Arm("std-cot", "std-cot", about="question -> teacher rationale, E = 8", seeds=(0, 1, 2)),
    Arm(
        "skintern",
        "skintern",
        about="the paper's setting: linear S_t, T = 4, 2 epochs a step, LR restarts per step",
        seeds=(0, 1, 2),
    ),
    Arm(
        "skintern-no-examples-one-lr",
        "skintern",
        ("curriculum.ablation=no-examples", "train.schedule_scope=run"),
        "the diagnosis' first fix: knowledge only (no copying shortcut), one LR schedule",
    ),
    Arm(
        "zero-shot-cot",
        "zero-shot-cot",
        ("eval.batch_size=32",),
        'untuned student, "Let\'s think step by step"',
    ),
    Arm(
        "std-cot-2-epochs",
        "std-cot",
        ("schedule.epochs=2",),
        "control: Std-CoT for SKIntern's question-only epochs only (E = 2)",
    ),
    Arm(
        "std-cot-14-epochs",
        "std-cot",
        ("schedule.epochs=14",),
        "control: Std-CoT for the warm start's 14 epochs (its training length, question only)",
    ),
    Arm(
        "skintern-scd",
        "skintern-scd",
        (f"{SCD_KL_KEY}={SCD_KL}",),
        "ours: question-only student, self-context distillation from the full prompt "
        f"(KL weight {SCD_KL}, the kl pilot's pick)",
    ),
    Arm(
        "skintern-warm-start",
        "skintern",
        ("schedule.epochs=14", "schedule.step_epochs=[2,2,2,8]"),
        "the paper's first 3 steps as a warm start, then Std-CoT's 8 question-only epochs "
        "(E = 14: more compute)",
    ),
    Arm("kard", "kard", about="3 BM25 knowledge passages in the prompt, train and test"),
]
BY_NAME = {arm.name: arm for arm in ARMS}
BEST_SEEDS = (0, 1, 2)


def seeds(arm: Arm, results: Path = RESULTS) -> tuple[int, ...]:
    """The arm's seeds; three for our best variant once every variant has its seed 0 (issue 15:
    3 seeds for Std-CoT, SKIntern and the best variant)."""
    from bbh_seeds_report import best_variant

    return BEST_SEEDS if arm.name == best_variant(results, complete=True) else arm.seeds


def plan(results: Path = RESULTS) -> list[tuple[Arm, int]]:
    """Every arm-seed: all seed-0 runs first (a first answer early), then the extra seeds."""
    first = [(arm, arm.seeds[0]) for arm in ARMS]
    rest = [(arm, seed) for arm in ARMS for seed in seeds(arm, results)[1:]]
    return first + rest


def run_dir(name: str, seed: int) -> Path:
    return ROOT / "runs" / "bbh-seeds" / name / f"seed-{seed}"


def command(arm: Arm, seed: int, threads: int | None) -> list[str]:
    cmd = ["skintern", "run", "--config", CONFIG]
    cmd += ["--run-dir", str(run_dir(arm.name, seed).relative_to(ROOT))]
    cmd += ["--threads", str(threads)] if threads else []
    return [*cmd, f"eval.methods=[{arm.method}]", f"train.seed={seed}", *arm.overrides]


def registered(method: str) -> bool:
    from skintern.train.methods import methods

    return method in methods.names()


def run_one(arm: Arm, seed: int, threads: int | None, results: Path = RESULTS) -> Path:
    import subprocess

    cmd = command(arm, seed, threads)
    print("$", " ".join(cmd), flush=True)
    started = time.time()
    # this interpreter's skintern, so that `.venv/bin/python benchmarks/...` works unactivated
    ran = subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, check=False)
    if ran.returncode != 0:
        raise SystemExit(f"{arm.name} seed {seed}: `skintern run` failed (exit {ran.returncode})")
    variant = Variant(f"seed-{seed}", arm.method, arm.overrides, arm.about)
    (results / arm.name).mkdir(parents=True, exist_ok=True)
    folder = collect(
        variant, run_dir(arm.name, seed), " ".join(cmd), time.time() - started, results / arm.name
    )
    info = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**info, "arm": arm.name, "seed": seed}, indent=2))
    return folder


def done(name: str, seed: int, results: Path = RESULTS) -> bool:
    return (results / name / f"seed-{seed}" / "run.json").is_file()


def committed_seeds(name: str, results: Path = RESULTS) -> list[int]:
    """The seeds of arm `name` with results under `results`."""
    return sorted(
        int(f.parent.name.removeprefix("seed-")) for f in results.glob(f"{name}/seed-*/run.json")
    )


def select(names: list[str]) -> list[tuple[Arm, int]]:
    """`ARM` (its every seed) or `ARM/seed-N`, in plan order; all when none is named."""
    if not names:
        return plan()
    chosen = []
    for name in names:
        arm_name, _, seed = name.partition("/seed-")
        if arm_name not in BY_NAME:
            raise SystemExit(f"unknown arm {arm_name!r}; known: {', '.join(BY_NAME)}")
        arm = BY_NAME[arm_name]
        chosen += [(arm, int(seed))] if seed else [(arm, s) for s in seeds(arm)]
    return chosen


def status(results: Path = RESULTS) -> list[str]:
    """One line per arm-seed of the plan (and per committed seed outside it): its BBH accuracy and
    wall time once committed, else what is left to run, so that a session can see whether the
    next arm-seed fits."""
    planned = plan(results)
    # seeds run ahead of the plan (e.g. a likely best variant's, before every variant has seed 0)
    ahead = [
        (arm, seed)
        for arm in ARMS
        for seed in committed_seeds(arm.name, results)
        if (arm, seed) not in planned
    ]
    lines = []
    for arm, seed in planned + ahead:
        folder = results / arm.name / f"seed-{seed}"
        if done(arm.name, seed, results):
            bbh = json.loads((folder / "metrics.json").read_text())["in_domain"]["average"]
            minutes = json.loads((folder / "run.json").read_text())["wall_seconds"] / 60
            lines.append(
                f"done     {arm.name}/seed-{seed}: BBH {100 * bbh:.1f} %, {minutes:.0f} min"
            )
        else:
            lines.append(f"to run   {arm.name}/seed-{seed}")
    from bbh_seeds_report import best_variant

    if best_variant(results, complete=True) is None:
        lines.append("then     the best variant's seeds 1 and 2, once every variant has its seed 0")
    return lines


def pilot(which: Pilot, threads: int | None) -> None:
    """`which.method` at each of `which.values`, scored on the validation slice."""
    for value in which.values:
        name = f"{which.name}-{value}"
        if done(name, 0, RESULTS / "pilot"):
            print(f"pilot {which.name} {value}: results exist, skipped", flush=True)
            continue
        about = f"{which.name} pilot: {which.method} at {which.key} {value}, validation slice"
        overrides = (f"{which.key}={value}", PILOT_DATA, "eval.in_domain=[bbh]")
        run_one(Arm(f"pilot/{name}", which.method, overrides, about), 0, threads, RESULTS)


def pilot_pick(which: Pilot, results: Path = RESULTS) -> str | None:
    """Why the pilot's pick cannot be used yet (incomplete), or None when `which`'s best value
    (ties: the larger, e.g. the LR that needs fewer updates) is the one the arms train at."""
    from bbh_seeds_report import pilot_summary

    found = pilot_summary(results / "pilot", which.name)
    missing = [v for v in which.values if v not in found]
    if missing:
        run = f"bbh_seeds.py pilot {which.name}"
        return f"the {which.name} pilot has no results for {missing}: run `{run}`"
    best = max(found, key=lambda v: (round(found[v], 6), float(v)))
    used = {"lr": yaml_lr(), "kl": SCD_KL}[which.name]
    if float(best) != float(used):
        where = CONFIG if which.name == "lr" else f"SCD_KL in {Path(__file__).name}"
        return (
            f"the {which.name} pilot picked {best} ({found[best]:.1f} %), not {used}: set {where}"
        )
    return None


def yaml_lr() -> str:
    import yaml

    return str(yaml.safe_load((ROOT / CONFIG).read_text())["train"]["lr"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="train and evaluate the arm-seeds without results")
    run_parser.add_argument("arms", nargs="*", help="ARM or ARM/seed-N (default: the whole plan)")
    run_parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    pilot_parser = sub.add_parser("pilot", help="a pilot on the validation slice")
    pilot_parser.add_argument("which", nargs="?", default="lr", choices=sorted(PILOTS))
    pilot_parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    sub.add_parser("report", help="summary.json and the README section from the results")
    sub.add_parser("status", help="which arm-seeds are committed, and which are left")
    args = parser.parse_args()
    if args.action == "status":
        print("\n".join(status()))
        return
    if args.action == "report":
        from bbh_seeds_report import report

        print(report(RESULTS, SUMMARY_MD, FINDING))
        return
    if args.action == "pilot":
        pilot(PILOTS[args.which], args.threads)
        return
    if why := pilot_pick(PILOTS["lr"]):
        raise SystemExit(why)  # every arm trains at the LR pilot's pick
    for arm, seed in select(args.arms):
        if done(arm.name, seed):
            print(f"{arm.name} seed {seed}: results exist, skipped", flush=True)
        elif arm.method == "skintern-scd" and (why := pilot_pick(PILOTS["kl"])):
            print(f"{arm.name}: {why}, skipped", flush=True)
        elif not registered(arm.method):
            print(f"{arm.name}: method {arm.method!r} is not registered yet, skipped", flush=True)
        else:
            run_one(arm, seed, args.threads)


if __name__ == "__main__":
    sys.exit(main())

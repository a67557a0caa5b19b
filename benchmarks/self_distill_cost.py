"""Training cost of self-context distillation (`skintern-scd`) against `skintern` and `std-cot`.

The same run directory for all three: configs/bbh-seeds.yaml's seven BBH tasks with a few
training questions each (`--per-task`, default 6), code-davinci-002's rationales, the task
knowledge bank, and its schedule: T = 4 steps of `--epochs-per-step` epochs (default 2, E = 8, as
the bbh-seeds experiment trains). Each method is trained by `skintern train` in its own process,
one after the other; the figures come from its train manifest and log: seconds per epoch over the
whole run (wall and process CPU), real tokens per second of the student's own passes, and for
`skintern-scd` the seconds its T refreshes of the context teacher took (one no-gradient pass over
the full-context prompts per step, included in its time). Two ratios: scd's seconds per epoch
against SKIntern's whole run, and against SKIntern's step-1 epochs, where SKIntern trains on the
full-context prompts that scd only reads (issue 14's "on the same records"; it asks for <= 0.6).

    .venv/bin/python benchmarks/self_distill_cost.py [--per-task 6] [--epochs-per-step 2]

The last line is JSON: seconds per epoch of each method and both ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bbh_seeds import TASKS

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("std-cot", "skintern", "skintern-scd")


def skintern(*args: str) -> None:
    cmd = [sys.executable, "-m", "skintern", *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: skintern {' '.join(args)}")


def step_seconds(log: list[dict]) -> dict[int, float]:
    """Wall seconds of each schedule step's optimizer steps, from the log's elapsed times."""
    ends: dict[int, float] = {}
    for row in log:
        if "loss" in row:
            ends[row["schedule_step"]] = row["elapsed_s"]
    steps, previous, out = sorted(ends), 0.0, {}
    for step in steps:
        out[step], previous = ends[step] - previous, ends[step]
    return out


def measure(run_dir: Path, method: str, epochs: int) -> dict[str, float]:
    folder = run_dir / "train" / method
    manifest = json.loads((folder / "manifest.json").read_text())
    log = [json.loads(line) for line in (folder / "train_log.jsonl").read_text().splitlines()]
    refresh = sum(r["seconds"] for r in log if r.get("event") == "self_targets")
    first = manifest["steps"][0]["epochs"]
    return {
        "step_1_seconds_per_epoch": step_seconds(log)[1] / first,
        "records_per_epoch": sum(s["records"] * s["epochs"] for s in manifest["steps"]) / epochs,
        "tokens_per_epoch": manifest["tokens"] / epochs,
        "seconds_per_epoch": manifest["seconds"] / epochs,
        "cpu_seconds_per_epoch": manifest["cpu_seconds"] / epochs,
        "tokens_per_s": manifest["tokens_per_s"],
        "teacher_refresh_s": refresh,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-task", type=int, default=6, help="training questions per task")
    parser.add_argument("--epochs-per-step", type=int, default=2, help="epochs of each of T = 4")
    parser.add_argument("--keep", type=Path, default=None, help="run directory to keep")
    args = parser.parse_args()
    run_dir = args.keep or Path(tempfile.mkdtemp(prefix="scd-cost-"))
    epochs = 4 * args.epochs_per_step
    common = [
        "--config", "configs/bbh-seeds.yaml", "--run-dir", str(run_dir),
        f"data.train=[{{name: bbh, tasks: {TASKS}, sample: {args.per_task}}}]",
        "schedule.steps=4", f"schedule.epochs={epochs}", "train.checkpoint_every=0",
    ]  # fmt: skip
    for stage in ("data", "teach", "curriculum"):
        skintern(stage, *common)
    rows = {}
    for method in METHODS:
        skintern("train", *common, f"train.method={method}")
        rows[method] = measure(run_dir, method, epochs)
    print(
        f"{args.per_task} questions per task x 7 BBH tasks; T = 4 steps of "
        f"{args.epochs_per_step} epochs (E = {epochs})"
    )
    print(
        "| method | records/epoch | tokens/epoch | s/epoch | CPU-s/epoch | tokens/s | refresh s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, r in rows.items():
        print(
            f"| {method} | {r['records_per_epoch']:.0f} | {r['tokens_per_epoch']:,.0f} | "
            f"{r['seconds_per_epoch']:.1f} | {r['cpu_seconds_per_epoch']:.1f} | "
            f"{r['tokens_per_s']:.0f} | {r['teacher_refresh_s']:.1f} |"
        )
    scd = rows["skintern-scd"]["seconds_per_epoch"]
    ratio = scd / rows["skintern"]["seconds_per_epoch"]
    step_1 = scd / rows["skintern"]["step_1_seconds_per_epoch"]
    std = scd / rows["std-cot"]["seconds_per_epoch"]
    print(
        f"skintern-scd seconds per epoch: x{ratio:.2f} SKIntern's whole run, x{step_1:.2f} "
        f"SKIntern's step-1 epochs (the same full-context records), x{std:.2f} Std-CoT's"
    )
    summary = {m: round(r["seconds_per_epoch"], 2) for m, r in rows.items()}
    ratios = {"scd_over_skintern": round(ratio, 3), "scd_over_skintern_step_1": round(step_1, 3)}
    print(json.dumps({"seconds_per_epoch": summary, **ratios}))


if __name__ == "__main__":
    main()

"""Training cost of self-context distillation (`skintern-scd`) against `skintern` and `std-cot`.

The same run directory for all three: configs/bbh-seeds.yaml's seven BBH tasks with a few
training questions each (`--per-task`, default 6), code-davinci-002's rationales, the task
knowledge bank, T = 4 schedule steps of one epoch each (E = 4). Each method is trained by
`skintern train` in its own process, one after the other; the figures come from its train
manifest and log: seconds per epoch (wall and process CPU), real tokens per second of the student's
own passes, and for `skintern-scd` the seconds its four refreshes of the context teacher took (one
no-gradient pass over the full-context prompts per step, included in its time).

    .venv/bin/python benchmarks/self_distill_cost.py [--per-task 6] [--keep RUN]

The last line is JSON: seconds per epoch of each method and the scd / skintern ratio (issue 14 asks
for at most 0.6).
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


def measure(run_dir: Path, method: str, epochs: int) -> dict[str, float]:
    folder = run_dir / "train" / method
    manifest = json.loads((folder / "manifest.json").read_text())
    log = [json.loads(line) for line in (folder / "train_log.jsonl").read_text().splitlines()]
    refresh = sum(r["seconds"] for r in log if r.get("event") == "self_targets")
    return {
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
    parser.add_argument("--keep", type=Path, default=None, help="run directory to keep")
    args = parser.parse_args()
    run_dir = args.keep or Path(tempfile.mkdtemp(prefix="scd-cost-"))
    epochs = 4
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
    print(f"{args.per_task} questions per task x 7 BBH tasks; T = 4, one epoch a step; 2 threads")
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
    ratio = rows["skintern-scd"]["seconds_per_epoch"] / rows["skintern"]["seconds_per_epoch"]
    std = rows["skintern-scd"]["seconds_per_epoch"] / rows["std-cot"]["seconds_per_epoch"]
    print(f"skintern-scd / skintern seconds per epoch: x{ratio:.2f}; / std-cot: x{std:.2f}")
    summary = {m: round(r["seconds_per_epoch"], 2) for m, r in rows.items()}
    print(json.dumps({"seconds_per_epoch": summary, "scd_over_skintern": round(ratio, 3)}))


if __name__ == "__main__":
    main()

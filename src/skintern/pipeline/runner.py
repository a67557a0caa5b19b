"""`skintern run CONFIG`: data, teach, curriculum, train (every method), eval, report, in order.

Reads and writes what each stage does (see the stage modules), plus `RUN/config.yaml` (the resolved
config, no secrets) and `RUN/pipeline.json` (the ledger, `skintern.pipeline.ledger`).
CLI: `skintern run --config CONFIG [--run-dir RUN] [key=value ...]`.

Every problem the config can be checked for is reported before any stage runs. A stage whose
inputs and config are unchanged since it last finished is skipped; one that was interrupted is
resumed by its own logic (teacher cache, training checkpoints, appended predictions). So Ctrl-C
at any point, then the same command, continues without redoing finished work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skintern.config import RunConfig, dump_config
from skintern.pipeline import checks
from skintern.pipeline.ledger import Ledger, fingerprints
from skintern.pipeline.stages import (
    Hooks,
    Log,
    Stage,
    data_stage,
    needs,
    plan,
    teacher_stage,
)
from skintern.rundir import atomic_open


@dataclass
class StageResult:
    """One row of the summary table."""

    name: str
    status: str  # "ran", "resumed", "restarted", "skipped"
    seconds: float
    manifest: dict[str, Any] = field(default_factory=dict)


def _status(ledger: Ledger, stage: Stage, key: str) -> str:
    started = ledger.started(stage.name)
    if started is None:
        return "ran"
    return "resumed" if started == key else "restarted"


def run_stage(stage: Stage, run_dir: Path, ledger: Ledger) -> StageResult:
    """Skip `stage` when current, else (re)run it and record what it wrote."""
    key = stage.key(run_dir)
    if ledger.current(stage.name, key):
        return StageResult(stage.name, "skipped", 0.0)
    status = _status(ledger, stage, key)
    extra = stage.extra()
    stage.prepare(ledger.extra(stage.name), extra)
    ledger.start(stage.name, key, **extra)
    started = time.perf_counter()
    manifest = stage.run(status == "restarted")
    seconds = time.perf_counter() - started
    ledger.finish(stage.name, key, fingerprints(run_dir, stage.outputs))
    if status == "ran" and manifest.get("skipped"):
        status = "skipped"  # the stage's own check found its outputs current (curriculum)
    return StageResult(stage.name, status, seconds, manifest)


def write_config(cfg: RunConfig, run_dir: Path) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    with atomic_open(run_dir / "config.yaml") as handle:
        handle.write(dump_config(cfg))


def set_threads(cfg: RunConfig, threads: int | None) -> None:
    """Torch CPU threads for every stage: `threads`, else `eval.threads`, else torch's choice."""
    chosen = threads if threads is not None else cfg.eval.threads
    if chosen is not None:
        import torch

        torch.set_num_threads(chosen)


def validate(cfg: RunConfig, run_dir: Path) -> None:
    """Check the config before any stage runs; stages already current are not re-checked (a
    teacher server need not be up to evaluate a finished run)."""
    ledger = Ledger(run_dir)
    data_current = ledger.current("data", data_stage(cfg, run_dir).key(run_dir))
    trained = needs(cfg)[0]
    teach_current = not trained or (
        data_current and ledger.current("teach", teacher_stage(cfg, run_dir).key(run_dir))
    )
    checks.check(cfg, data=not data_current, teacher=not teach_current)


def run_pipeline(
    cfg: RunConfig,
    run_dir: Path,
    *,
    log: Log = print,
    hooks: Hooks | None = None,
    threads: int | None = None,
) -> list[StageResult]:
    """Run every stage `cfg` needs into `run_dir`, skipping current ones; the summary rows."""
    validate(cfg, run_dir)
    hooks = hooks or Hooks()
    stages = plan(cfg, run_dir, hooks, log)
    set_threads(cfg, threads)
    write_config(cfg, run_dir)
    ledger = Ledger(run_dir)
    results = []
    for stage in stages:
        log(f"[{stage.name}]")
        result = run_stage(stage, run_dir, ledger)
        log(f"[{stage.name}] {result.status} ({result.seconds:.1f} s)")
        results.append(result)
        if hooks.after_stage is not None:
            hooks.after_stage(stage.name)
    return results

"""The demo config shrunk for tests: tiny-random student, a handful of questions, short outputs."""

from __future__ import annotations

from pathlib import Path

from skintern.config import RunConfig, load_config

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "configs" / "demo.yaml"
TASKS = "[object_counting, boolean_expressions]"
TINY = [
    "student=tiny-random",
    f"data.train=[{{name: synthetic, tasks: {TASKS}, limit: 4}}]",
    f"data.test=[{{name: synthetic, tasks: {TASKS}, limit: 3}}]",
    "schedule.epochs=3",  # one epoch per schedule step, and the same total for Std-CoT
    "train.checkpoint_every=1",
    "train.batch_size=4",
    "train.progress=false",
    "eval.max_new_tokens=12",
    "eval.bootstrap_samples=200",
]


def tiny_config(*extra: str) -> RunConfig:
    """The demo config with the tiny overrides, then `extra` ones."""
    return load_config(RunConfig, DEMO, [*TINY, *extra])

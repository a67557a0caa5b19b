"""Training logs: one JSONL row per optimizer step in the run directory, an optional tensorboard
or wandb mirror, and a rich progress bar (step, schedule stage, loss, tokens/s, ETA)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from skintern.errors import ConfigError


class TrainLog:
    """Appends JSON rows to `train_log.jsonl`; on resume, rows past the checkpoint are cut."""

    def __init__(self, path: Path, resume_step: int | None, backend: str = "none"):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is None:
            path.write_text("", encoding="utf-8")
        elif path.is_file():
            kept = [
                line
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line).get("global_step", 0) <= resume_step
            ]
            path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        self._mirror = _mirror(backend, path.parent)

    def write(self, row: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        if self._mirror is not None and "loss" in row:
            self._mirror(row)


def _mirror(backend: str, folder: Path) -> Any:
    if backend == "none":
        return None
    try:
        if backend == "tensorboard":
            from torch.utils.tensorboard import SummaryWriter

            writer = SummaryWriter(str(folder / "tensorboard"))
            return lambda row: [
                writer.add_scalar(k, row[k], row["global_step"]) for k in ("loss", "lr")
            ]
        import wandb

        run = wandb.init(dir=str(folder), project="skintern")
        return lambda row: run.log(row, step=row["global_step"])
    except ImportError:
        raise ConfigError(
            f"train.log_backend={backend} needs the {backend} package",
            hint=f"pip install {backend}",
        ) from None


def progress_bar(enabled: bool) -> Progress:
    """Step count, schedule stage, loss, tokens/s and ETA (disabled: prints nothing)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TextColumn("{task.fields[tps]} tok/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )

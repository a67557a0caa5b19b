"""Checkpoints: trainable weights, optimizer, scheduler, RNG states, data order and position.

Layout: `RUN/train/METHOD/checkpoints/ckpt-00000040/` with `trainable.safetensors`,
`optimizer.pt`, `scheduler.pt`, `rng-RANK.pt` (one per process), `state.json` (position, config,
the epoch's data order, training time spent so far) and, written last, `complete.json` (sha256 of
every file). A checkpoint is built in a hidden temporary folder and renamed into place, so a kill
leaves either the whole checkpoint or none; `complete.json` and the digests catch a damaged one,
and resume then falls back to the previous checkpoint and says so.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from skintern.errors import ResumeError

PREFIX = "ckpt-"


@dataclass
class Position:
    """Where training stands: the next optimizer step to run is `batch` of `epoch` of step
    index `step_index` (0-based); `global_step` optimizer steps are done."""

    step_index: int = 0
    epoch: int = 0
    batch: int = 0
    global_step: int = 0
    tokens: int = 0


@dataclass
class Spent:
    """Training time up to a checkpoint, summed over every invocation that trained toward it, so
    that a resumed run reports what its whole training cost (checkpoints written before this was
    recorded count as zero)."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0


@dataclass
class Snapshot:
    """A checkpoint read back."""

    path: Path
    position: Position
    config: dict[str, Any]
    order: list[list[int]] | None
    trainable: dict[str, torch.Tensor] = field(default_factory=dict)
    spent: Spent = field(default_factory=Spent)


def rng_state() -> dict[str, Any]:
    state = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The parameters that train (the LoRA matrices, or all of them), detached on CPU."""
    return {
        name: p.detach().to("cpu").contiguous()
        for name, p in model.named_parameters()
        if p.requires_grad
    }


def tmp_dir(root: Path, global_step: int) -> Path:
    """The hidden folder a checkpoint is built in (every process writes its RNG file there)."""
    return root / f".{PREFIX}{global_step:08d}.tmp"


def write_rng(folder: Path, rank: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(rng_state(), folder / f"rng-{rank}.pt")


def write(
    root: Path,
    position: Position,
    parts: dict[str, Any],
    config: dict[str, Any],
    order: list[list[int]] | None,
    keep: int,
    spent: Spent,
) -> Path:
    """Main process: write the checkpoint's files, seal it with digests, rename it into place."""
    work = tmp_dir(root, position.global_step)
    work.mkdir(parents=True, exist_ok=True)
    save_file(parts["trainable"], str(work / "trainable.safetensors"))
    torch.save(parts["optimizer"], work / "optimizer.pt")
    torch.save(parts["scheduler"], work / "scheduler.pt")
    state = {"position": asdict(position), "config": config, "order": order, "spent": asdict(spent)}
    (work / "state.json").write_text(json.dumps(state), encoding="utf-8")
    digests = {p.name: _digest(p) for p in sorted(work.iterdir())}
    (work / "complete.json").write_text(json.dumps(digests, indent=1), encoding="utf-8")
    final = root / f"{PREFIX}{position.global_step:08d}"
    if final.exists():
        shutil.rmtree(final)
    work.rename(final)
    for old in list_checkpoints(root)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def list_checkpoints(root: Path) -> list[Path]:
    """Checkpoint folders, oldest first (temporary leftovers of a kill are not listed)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX))


def verify(path: Path) -> str | None:
    """None when the checkpoint is whole, else what is wrong with it."""
    seal = path / "complete.json"
    if not seal.is_file():
        return "complete.json is missing (interrupted while writing)"
    try:
        digests = json.loads(seal.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "complete.json is unreadable"
    for name, digest in digests.items():
        file = path / name
        if not file.is_file():
            return f"{name} is missing"
        if _digest(file) != digest:
            return f"{name} does not match its digest (damaged)"
    return None


def config_diff(saved: dict[str, Any], current: dict[str, Any], prefix: str = "") -> list[str]:
    """`key: saved -> current` for every key that differs, nested keys dotted."""
    lines = []
    for key in sorted(set(saved) | set(current)):
        a, b = saved.get(key, "<absent>"), current.get(key, "<absent>")
        if isinstance(a, dict) and isinstance(b, dict):
            lines += config_diff(a, b, f"{prefix}{key}.")
        elif a != b:
            lines.append(f"{prefix}{key}: {a!r} -> {b!r}")
    return lines


def load_latest(root: Path, config: dict[str, Any], warn: Callable[[str], None]) -> Snapshot | None:
    """The newest whole checkpoint, falling back past damaged ones (said through `warn`).

    Raises:
        ResumeError: the newest whole checkpoint was made under a different config.
    """
    for path in reversed(list_checkpoints(root)):
        problem = verify(path)
        if problem is None:
            try:
                state = json.loads((path / "state.json").read_text(encoding="utf-8"))
                trainable = load_file(str(path / "trainable.safetensors"))
            except (OSError, ValueError, RuntimeError) as err:
                problem = f"unreadable: {err}"
        if problem is not None:
            warn(
                f"checkpoint {path.name} is corrupted ({problem}); falling back to the previous one"
            )
            continue
        differing = config_diff(state["config"], config)
        if differing:
            raise ResumeError(
                f"checkpoint {path.name} was made with a different config; differing keys:\n"
                + "\n".join(differing),
                where=str(path),
                hint="use another --run-dir, restore those settings, or pass train.resume=false "
                "to start over (the old checkpoints are then replaced)",
            )
        position = Position(**state["position"])
        spent = Spent(**state.get("spent", {}))
        return Snapshot(path, position, state["config"], state["order"], trainable, spent)
    return None


def read_parts(path: Path, rank: int) -> dict[str, Any]:
    """Optimizer, scheduler and this process's RNG state of a verified checkpoint."""
    rng = path / f"rng-{rank}.pt"
    return {
        "optimizer": torch.load(path / "optimizer.pt", weights_only=False),
        "scheduler": torch.load(path / "scheduler.pt", weights_only=False),
        "rng": torch.load(rng if rng.is_file() else path / "rng-0.pt", weights_only=False),
    }

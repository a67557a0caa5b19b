"""Options and helpers shared by every subcommand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from skintern.config import RunConfig, load_config

console = Console()
console_err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="Run config (YAML).", show_default=False)
]
RunDirOption = Annotated[
    Path | None,
    typer.Option("--run-dir", help="Run directory (default: runs/NAME).", show_default=False),
]
_OVERRIDE = re.compile(r"^[A-Za-z_][\w.-]*=")


class StageGroup(TyperGroup):
    """A stage that is both a command (`skintern eval -c X k=v`) and a group (`skintern eval
    score-file`): `key=value` words are set aside as overrides before click looks for a
    subcommand, and read back with `overrides_of(ctx)`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["overrides"] = [a for a in args if _OVERRIDE.match(a)]
        return super().parse_args(ctx, [a for a in args if not _OVERRIDE.match(a)])


def overrides_of(ctx: typer.Context) -> list[str]:
    return list(ctx.meta.get("overrides", []))


def find_config(config: Path | None) -> Path | None:
    """`config` when it exists, else the shipped config of that name (`configs/demo.yaml` works
    from any folder after `pip install skintern`), else `config` (load_config says it is
    missing)."""
    from skintern.paths import shipped_config

    if config is None or config.exists():
        return config
    shipped = shipped_config(config)
    if shipped is None:
        return config
    console_err.print(
        f"{config}: not here; using the shipped {shipped}", highlight=False, soft_wrap=True
    )
    return shipped


def resolve(config: Path | None, overrides: list[str] | None) -> RunConfig:
    """The validated run config: defaults < YAML < overrides."""
    return load_config(RunConfig, find_config(config), overrides or [])


def run_dir_for(cfg: RunConfig, run_dir: Path | None) -> Path:
    return run_dir if run_dir is not None else Path("runs") / cfg.name

"""`skintern configs`: the configs that ship with skintern (package data), from any folder."""

from __future__ import annotations

from typing import Annotated

import typer

from skintern.errors import ConfigError


def configs(
    name: Annotated[
        str | None,
        typer.Argument(help="A shipped config, e.g. demo.yaml or accelerate/2cpu.yaml."),
    ] = None,
) -> None:
    """List the shipped configs, or print the path of one, e.g.
    `accelerate launch --config_file "$(skintern configs accelerate/2cpu.yaml)" -m skintern
    train ...`. Every command also finds a shipped config by name (`-c paper/llama2-7b.yaml`)."""
    from skintern.paths import CONFIGS, shipped_config, shipped_configs

    if name is None:
        typer.echo(f"shipped configs in {CONFIGS}:")
        for found in shipped_configs():
            typer.echo(f"  {found}")
        return
    path = shipped_config(name)
    if path is None:
        raise ConfigError(
            f"no shipped config {name!r}",
            hint=f"shipped: {', '.join(shipped_configs())}",
        )
    typer.echo(str(path))

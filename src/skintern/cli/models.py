"""`skintern models list` (the aliases) and `skintern models info NAME` (size, dtype, path)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from skintern.cli.common import console, console_err

app = typer.Typer(help="Student models: aliases, sizes, where they live.", no_args_is_help=True)


@app.command("list")
def list_aliases() -> None:
    """List the model aliases, whether each is built in the cache, and what it needs."""
    from skintern.models import aliases

    table = Table(title="skintern model aliases")
    for column in ("alias", "description", "licence", "status"):
        table.add_column(column)
    for name in aliases.names():
        alias = aliases.get(name)
        reason = alias.unavailable()
        if alias.is_built():
            status = f"[green]cached[/] {alias.path()}"
        elif reason:
            status = f"[red]unavailable[/]: {reason}"
        else:
            status = "not built yet (converted on first use)"
        table.add_row(name, alias.description, alias.licence, status)
    console.print(table)
    console.print("Any local model folder or hub id org/name works too.")


@app.command()
def info(
    name: Annotated[str, typer.Argument(help="An alias, a model folder or a hub id org/name.")],
    dtype: Annotated[str, typer.Option(help="auto, float32, bfloat16 or float16.")] = "auto",
    trust_remote_code: Annotated[
        bool, typer.Option("--trust-remote-code", help="Let the model folder run its own code.")
    ] = False,
) -> None:
    """Load a model and print its parameters, non-embedding parameters, dtype, path, template."""
    from skintern.models import aliases, load_model

    if name in aliases and not aliases.get(name).is_built():
        console_err.print(f"building {name} once into the cache (later loads take a second)...")
    start = time.perf_counter()
    loaded = load_model(name, dtype=dtype, trust_remote_code=trust_remote_code)
    seconds = time.perf_counter() - start
    config = loaded.model.config
    rows = [
        ("name", loaded.name),
        ("path", str(loaded.path)),
        ("architecture", type(loaded.model).__name__),
        ("params", f"{loaded.n_params:,}"),
        ("non-embedding params", f"{loaded.n_nonembedding_params:,}"),
        ("dtype", loaded.dtype),
        ("layers x hidden", f"{config.num_hidden_layers} x {config.hidden_size}"),
        ("vocabulary", f"{len(loaded.tokenizer):,}"),
        ("context", str(getattr(config, "max_position_embeddings", "?"))),
        ("chat template", "yes" if loaded.has_chat_template else "no"),
        ("load time", f"{seconds:.2f} s"),
    ]
    for key, value in rows:
        console.print(f"{key:22} {value}", highlight=False)

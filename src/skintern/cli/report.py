"""`skintern report RUN_DIR [RUN_DIR ...]`: Markdown/JSON tables and PNG plots of evaluated runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skintern.cli.common import (
    ConfigOption,
    RunDirOption,
    console,
    resolve,
    run_dir_for,
)


def report(
    run_dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Evaluated run directories (default: the config's run directory)."),
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="One report with all runs side by side.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for a combined report (default with --compare: report/)."
        ),
    ] = None,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Tables and plots of evaluated runs: report.md, report.json and plots/*.png, one per run
    directory, or with --compare one for all of them."""
    from skintern.report import stage

    dirs = list(run_dirs or [])
    if run_dir is not None:
        dirs.append(run_dir)
    if not dirs:
        dirs = [run_dir_for(resolve(config, []), None)]
    for folder in stage.run(dirs, compare=compare, out=out):
        console.print(f"wrote {folder / 'report.md'}, {folder / 'report.json'}, {folder / 'plots'}")

"""The `skintern` command: parses arguments and dispatches to the stages, nothing more.

Every stage is a subcommand taking `--config FILE`, `key=value` overrides and `--run-dir DIR`.
A `SkinternError` is printed as `error:` / `hint:` lines with exit code 1; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from skintern.cli import configs as configs_cli
from skintern.cli import curriculum as curriculum_cli
from skintern.cli import data as data_cli
from skintern.cli import eval as eval_cli
from skintern.cli import models as models_cli
from skintern.cli import report as report_cli
from skintern.cli import run as run_cli
from skintern.cli import teach as teach_cli
from skintern.cli import train as train_cli
from skintern.cli import use as use_cli
from skintern.cli.common import console_err
from skintern.errors import SkinternError

app = typer.Typer(
    name="skintern",
    help="Distil CoT reasoning and symbolic knowledge from a teacher LLM into a small model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data_cli.app, name="data")
app.add_typer(teach_cli.app, name="teach")
app.add_typer(curriculum_cli.app, name="curriculum")
app.add_typer(train_cli.app, name="train")
app.add_typer(eval_cli.app, name="eval")
app.command("report")(report_cli.report)
app.add_typer(models_cli.app, name="models")
app.command("run")(run_cli.run)
app.command("demo")(run_cli.demo)
app.command("predict")(use_cli.predict)
app.command("export")(use_cli.export)
app.command("configs")(configs_cli.configs)


def main() -> None:
    try:
        app()
    except SkinternError as err:
        where = f"{err.where}: " if err.where else ""
        for line in f"{where}{err.message}".splitlines():
            console_err.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
        if err.hint:
            console_err.print(
                f"[bold yellow]hint:[/] {escape(err.hint)}", highlight=False, soft_wrap=True
            )
        sys.exit(1)

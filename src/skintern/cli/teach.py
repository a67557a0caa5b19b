"""`skintern teach`: the teacher stage (rationales + knowledge), after the data stage if needed."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from skintern.cli.common import (
    ConfigOption,
    RunDirOption,
    StageGroup,
    console,
    console_err,
    overrides_of,
    resolve,
    run_dir_for,
)

app = typer.Typer(
    help="Ask (or replay) the teacher: CoT rationales and symbolic knowledge.",
    cls=StageGroup,
    invoke_without_command=True,
)


def summary_table(manifest: dict[str, Any]) -> Table:
    """Kept rationales per task, as the manifest records them."""
    table = Table(title=f"teacher {manifest['backend']}")
    for column in ("task", "examples", "answered", "kept", "kept %", "covered"):
        table.add_column(column, justify="left" if column == "task" else "right")
    for task, row in manifest["rationales"]["per_task"].items():
        table.add_row(
            f"[bold]{task}[/]" if task == "all" else task,
            str(row["examples"]),
            str(row["answered"]),
            str(row["kept"]),
            f"{100 * row['kept_rate']:.1f}",
            str(row["covered"]),
        )
    return table


def print_summary(manifest: dict[str, Any]) -> None:
    if manifest["rationales"]["per_task"]:
        console.print(summary_table(manifest))
    req, tokens = manifest["requests"], manifest["tokens"]
    reasons = ", ".join(f"{k} {v}" for k, v in req["failures_by_reason"].items()) or "none"
    console.print(
        f"requests {req['total']}: {req['cache_hits']} cached, {req['sent']} sent, "
        f"{req['completed']} answered, {req['failed']} failed ({reasons}), "
        f"{req['retries']} retries"
    )
    console.print(f"tokens: {tokens['prompt']} prompt, {tokens['completion']} completion")
    if manifest["cost"]:
        console.print(
            f"estimated cost: {manifest['cost']['amount']} {manifest['cost']['currency']}"
        )
    know = manifest["knowledge"]
    if know["source"] != "none":
        console.print(f"knowledge: {know['written']} ({know['source']}, {know['granularity']})")
        if know["missing"]:
            console_err.print(f"[yellow]no knowledge for:[/] {', '.join(know['missing'][:10])}")
    if manifest["missing"]:
        console_err.print(
            f"[yellow]{manifest['missing']} requests still unanswered:[/] run `skintern teach` "
            "again to retry them"
        )
    console.print(f"wall time {manifest['wall_seconds']} s")


@app.callback()
def teach(ctx: typer.Context, config: ConfigOption = None, run_dir: RunDirOption = None) -> None:
    """Write RUN_DIR/teacher/{rationales,knowledge}.jsonl (key=value overrides may follow); runs
    the data stage first when RUN_DIR has no data."""
    if ctx.invoked_subcommand is not None:
        return
    from skintern.data import stage as data_stage
    from skintern.data.manifest import has_data
    from skintern.teacher import stage
    from skintern.teacher.config import check_runnable

    cfg = resolve(config, overrides_of(ctx))
    check_runnable(cfg.teacher)
    target = run_dir_for(cfg, run_dir)
    if not has_data(target):
        data_stage.run(cfg.data, target)
    try:
        manifest = stage.run(cfg.teacher, target, data_dir=cfg.data.data_dir)
    except KeyboardInterrupt:
        console_err.print(
            "[yellow]interrupted:[/] answered requests are cached; run again to resume"
        )
        raise typer.Exit(130) from None
    print_summary(manifest)
    console.print(f"wrote {target / 'teacher'}")

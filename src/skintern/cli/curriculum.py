"""`skintern curriculum` (render every schedule step) and `skintern curriculum show` (a record)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.rule import Rule

from skintern.cli.common import (
    ConfigOption,
    RunDirOption,
    StageGroup,
    console,
    overrides_of,
    resolve,
    run_dir_for,
)
from skintern.errors import ConfigError, DataError

app = typer.Typer(
    help="Retrieve examples, compress knowledge and render each schedule step's records.",
    cls=StageGroup,
    invoke_without_command=True,
)


@app.callback()
def curriculum(
    ctx: typer.Context,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Write RUN_DIR/curriculum/step-1.jsonl ... step-T.jsonl (key=value overrides may follow)."""
    if ctx.invoked_subcommand is not None:  # `show` may take these from before its name
        ctx.obj = {"config": config, "run_dir": run_dir}
        return
    from skintern.curriculum import stage
    from skintern.pipeline.checks import model_problems

    cfg = resolve(config, overrides_of(ctx))
    problems = model_problems(cfg.student, "student")
    if problems:
        raise ConfigError(problems[0], hint="fix the student and run the same command again")
    target = run_dir_for(cfg, run_dir)
    manifest = stage.run(cfg.curriculum, target)
    if manifest.get("skipped"):
        console.print("inputs and config unchanged: kept the existing records")
    for step in manifest["steps"]:
        ratio = step["knowledge_ratio_mean"]
        ratio_text = "-" if ratio is None else f"{ratio:.3f}"
        console.print(
            f"step {step['step']}: S_t {step['S_t']:.3f}  knowledge kept {ratio_text}  "
            f"examples {step['examples_min']}-{step['examples_max']} (K^t {step['K_t']})  "
            f"{step['records']} records"
        )
    console.print(f"wrote {target / 'curriculum'}")


@app.command()
def show(
    ctx: typer.Context,
    example: Annotated[str, typer.Option("--example", help="Example id, e.g. bbh/navigate/17.")],
    step: Annotated[int, typer.Option("--step", help="Schedule step t (1-based).")] = 1,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Print what the student sees for one example at step t: prompt and target."""
    from skintern.curriculum.stage import read_step

    given = ctx.obj or {}
    config = config or given.get("config")
    run_dir = run_dir or given.get("run_dir")
    target = run_dir or run_dir_for(resolve(config, overrides_of(ctx)), None)
    rows = [r for r in read_step(target, step) if example in (r["example"], r["id"])]
    if not rows:
        raise DataError(
            f"no record for example {example!r} at step {step}",
            where=str(target / "curriculum" / f"step-{step}.jsonl"),
            hint="example ids look like bbh/navigate/17; see curriculum/neighbors.jsonl",
        )
    for row in rows:
        console.print(Rule(f"{row['id']}  step {row['step']}  S_t {row['S_t']:.3f}"))
        console.print("[bold]prompt[/]")
        console.print(row["prompt"], markup=False, highlight=False)
        console.print("[bold]target[/]")
        console.print(row["target"], markup=False, highlight=False)

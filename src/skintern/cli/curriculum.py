"""`skintern curriculum` (render every schedule step), `skintern curriculum show` (a record) and
`skintern curriculum export --format trl` (each step's training records as TRL datasets)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
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
from skintern.config import RunConfig
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


class DatasetFormat(StrEnum):
    """What `skintern curriculum export` writes (one format so far)."""

    trl = "trl"  # TRL's conversational prompt-completion JSONL (`skintern.pipeline.trl_data`)


def _run_config(
    ctx: typer.Context, config: Path | None, run_dir: Path | None
) -> tuple[RunConfig, Path]:
    """(config, run dir) of a subcommand: its options, those given before its name, else the
    run directory's own `config.yaml`."""
    given = ctx.obj or {}
    config = config or given.get("config")
    run_dir = run_dir or given.get("run_dir")
    if config is None and run_dir is not None and (run_dir / "config.yaml").is_file():
        config = run_dir / "config.yaml"
    cfg = resolve(config, overrides_of(ctx))
    return cfg, run_dir or run_dir_for(cfg, None)


@app.command()
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder to write (new or empty).")],
    fmt: Annotated[DatasetFormat, typer.Option("--format", help="Dataset format.")] = (
        DatasetFormat.trl
    ),
    method: Annotated[
        str, typer.Option("--method", help="Method whose records to write.")
    ] = "skintern",
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Write each schedule step's training records (what `skintern train` trains on) as TRL's
    conversational prompt-completion JSONL, with a script that trains them with SFTTrainer."""
    from skintern.pipeline.trl_data import export_trl

    cfg, target = _run_config(ctx, config, run_dir)
    train = cfg.train.model_copy(update={"method": method})
    manifest = export_trl(train, target, out, cfg.data.data_dir)
    for step in manifest["steps"]:
        console.print(f"{out / step['file']}: {step['records']} records, {step['epochs']} epochs")
    console.print(f"train them with TRL: {out / 'README.md'}")

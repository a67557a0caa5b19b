"""`skintern train` (fine-tune the student with `train.method`) and `skintern train methods`.

Data parallel: `accelerate launch [--config_file configs/accelerate/FILE.yaml] -m skintern train
--config CONFIG --run-dir RUN` runs the same command on every process.
"""

from __future__ import annotations

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
    help="Fine-tune the student (LoRA, progressive over SKIntern's schedule steps), resumable.",
    cls=StageGroup,
    invoke_without_command=True,
)


@app.callback()
def train(
    ctx: typer.Context,
    config: ConfigOption = None,
    run_dir: RunDirOption = None,
) -> None:
    """Write RUN_DIR/train/METHOD/{adapter,checkpoints,train_log.jsonl} (key=value overrides may
    follow, e.g. train.method=std-cot schedule.epochs=3)."""
    if ctx.invoked_subcommand is not None:
        return
    from skintern.curriculum.manifest import check_rendered_for
    from skintern.pipeline.checks import preflight
    from skintern.train import stage
    from skintern.train.methods import Input, methods

    cfg = resolve(config, overrides_of(ctx))
    preflight(cfg)
    target = run_dir_for(cfg, run_dir)
    if Input.CURRICULUM in methods.get(cfg.train.method).inputs:
        check_rendered_for(target, cfg.student, cfg.schedule)

    def warn(message: str) -> None:
        console_err.print(f"[bold yellow]warning:[/] {message}", highlight=False)

    manifest = stage.run(cfg.train, target, data_dir=cfg.data.data_dir, warn=warn)
    if not manifest:
        return  # not the main process
    if not manifest.get("trained"):
        console.print(f"{cfg.train.method} is a prompting baseline: nothing to train")
        return
    for step in manifest["steps"]:
        s_t = "" if step["S_t"] is None else f"  S_t {step['S_t']:.3f}"
        console.print(
            f"step {step['step']}{s_t}  {step['epochs']} epochs  {step['records']} records"
        )
    console.print(
        f"{manifest['global_steps']} optimizer steps, {manifest['tokens_per_s']:,.0f} tokens/s; "
        f"wrote {target / 'train' / cfg.train.method}"
    )


def _settings(method: object) -> str:
    model = method.settings_model  # type: ignore[attr-defined]
    return ", ".join(f"{k} = {f.default!r}" for k, f in model.model_fields.items()) or "-"


@app.command()
def methods() -> None:
    """List the registered methods: whether they train, schedule steps, inference stages."""
    from skintern.train.methods import methods as registry

    table = Table(title="skintern methods")
    columns = ("method", "trains", "inference stages", "reads", "settings (train.methods.NAME)")
    for column in columns:
        table.add_column(column)
    for name in registry.names():
        m = registry.get(name)
        reads = ", ".join(sorted(m.inputs)) or "-"
        table.add_row(name, "yes" if m.trains else "no", str(m.stages), reads, _settings(m))
    console.print(table)

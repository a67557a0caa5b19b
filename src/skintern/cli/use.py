"""`skintern predict` (answer with a run's student) and `skintern export` (a HF model folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.rule import Rule

from skintern.cli.common import console
from skintern.errors import ConfigError, DataError

RunDir = Annotated[
    Path,
    typer.Option("--run-dir", help="A run directory with a trained method.", show_default=False),
]
MethodOption = Annotated[
    str | None,
    typer.Option(
        "--method",
        help="Trained method (default: skintern, else the only one).",
        show_default=False,
    ),
]


def read_questions(file: Path) -> list[dict[str, Any]]:
    """Rows of a .jsonl file (`question`, optional `task`, `options`, `answer`) or a .txt file
    (one question per line)."""
    from skintern.files import read_jsonl_lines, read_text

    if file.suffix == ".jsonl":
        rows = []
        for lineno, row in read_jsonl_lines(file):
            if not isinstance(row.get("question"), str) or not row["question"].strip():
                raise DataError("row has no `question` text", where=f"{file}:{lineno}")
            rows.append(row)
        return rows
    lines = [line.strip() for line in read_text(file).splitlines() if line.strip()]
    if not lines:
        raise DataError("no questions in the file", where=str(file))
    return [{"question": line} for line in lines]


def predict(
    questions: Annotated[
        list[str] | None, typer.Argument(help="Questions to answer.", show_default=False)
    ] = None,
    run_dir: RunDir = Path("runs/demo"),
    method: MethodOption = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Questions: .jsonl rows {question, task?} or .txt lines."),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="Task of the questions (default: guessed).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON row per answer.")] = False,
) -> None:
    """Answer with the distilled student, question only (the method's inference prompt):
    the rationale, then the extracted answer."""
    from skintern.pipeline import student

    rows = [{"question": q} for q in questions or [] if q.strip()]
    if file is not None:
        rows += read_questions(file)
    if not rows:
        raise ConfigError("no question given", hint='skintern predict --run-dir RUN "question"')
    if task is not None:
        rows = [{**row, "task": row.get("task", task)} for row in rows]
    trained = student.open_trained(run_dir, method)
    answers = student.answer(trained, student.as_examples(trained, rows))
    for row, original in zip(answers, rows, strict=True):
        if as_json:
            keep = ("id", "task", "output", "extracted", "prompt_tokens", "generated_tokens")
            out = {k: row.get(k) for k in keep} | {"question": original["question"]}
            if "answer" in original:
                out["correct"] = row["correct"]
            console.print_json(json.dumps(out))
            continue
        console.print(Rule(f"{trained.method} · {row['task']}"))
        console.print(original["question"], markup=False, highlight=False)
        console.print("[bold]rationale[/]")
        console.print(row["output"], markup=False, highlight=False)
        console.print(f"[bold]answer:[/] {row['extracted'] or '(none found)'}", highlight=False)


def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write (new or empty).")],
    run_dir: RunDir = Path("runs/demo"),
    method: MethodOption = None,
    adapter_only: Annotated[
        bool,
        typer.Option("--adapter-only", help="Write the PEFT adapter, not merged weights."),
    ] = False,
) -> None:
    """Write a standard Hugging Face folder: merged weights (or the PEFT adapter), the tokenizer
    with its chat template and the named `trained_prompt` template, generation_config.json, and
    a model card (README.md) with transformers and vLLM code and the run's results."""
    from skintern.pipeline.export import export as write

    folder = write(run_dir, out, method, adapter_only=adapter_only)
    if adapter_only:
        loads = f"PeftModel.from_pretrained(base, {str(folder)!r})"
    else:
        loads = f"AutoModelForCausalLM.from_pretrained({str(folder)!r})"
    console.print(f"wrote {folder} ({loads}; usage in {folder / 'README.md'})", highlight=False)

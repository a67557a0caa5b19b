"""`skintern eval harness`: lm-evaluation-harness as a second opinion on a run's students.

Reads: a finished run (`RUN/train/METHOD/` trained, `RUN/eval/METHOD/DATASET/predictions.jsonl`
evaluated), its test split and config.
Writes: `RUN/eval/harness/METHOD/DATASET/{docs.jsonl,task.yaml}` (the lm-eval task,
`skintern.pipeline.harness.tasks`), `.../comparison.jsonl` (per question: both generations and
the four verdicts of `skintern.pipeline.harness.compare`), `RUN/eval/harness/summary.json` and
`RUN/eval/harness/harness.md`, and `RUN/report.md` again with that table in it.
CLI: `skintern eval harness --run-dir RUN [--method M ...] [--load adapter|merged]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from skintern.data.example import Example
from skintern.errors import ConfigError, DataError
from skintern.pipeline.harness.compare import LmScore, compare_row, summarize_rows
from skintern.pipeline.harness.tasks import (
    BBH_EXACT_MATCH,
    BBH_STRICT_REGEX,
    FILTER,
    HarnessTask,
    write_task,
)
from skintern.pipeline.student import Trained, open_trained, trained_methods
from skintern.rundir import atomic_open, write_json, write_jsonl

Load = Literal["adapter", "merged"]
Log = Callable[[str], None]
HINT = "pip install 'skintern[harness]' (lm-eval with its Hugging Face backend)"


@dataclass
class HarnessOptions:
    """What `skintern eval harness` was asked for."""

    methods: list[str] = field(default_factory=list)  # default: every trained method
    load: Load = "adapter"
    limit: int | None = None  # questions per test task (default: the run's eval.limit)
    batch_size: int | None = None  # default: the run's eval.batch_size


def require_lm_eval() -> str:
    """lm-eval's version, or a `ConfigError` naming the extra to install."""
    try:
        import lm_eval  # noqa: F401
    except ImportError:
        raise ConfigError(
            "lm-evaluation-harness (lm-eval) is not installed",
            where="skintern eval harness",
            hint=HINT,
        ) from None
    return metadata.version("lm_eval")


def our_predictions(trained: Trained, dataset: str) -> dict[str, dict[str, Any]]:
    """`skintern eval`'s prediction rows of a method on a dataset, by question id."""
    from skintern.files import read_jsonl

    path = trained.run_dir / "eval" / trained.method / dataset / "predictions.jsonl"
    if not path.is_file():
        raise DataError(
            f"method {trained.method!r} has no predictions on {dataset!r} to compare with",
            where=str(path),
            hint=f"run `skintern eval --run-dir {trained.run_dir}` first",
        )
    return {row["id"]: row for row in read_jsonl(path)}


def question_sets(trained: Trained, limit: int | None) -> dict[str, list[Example]]:
    """The run's test questions per dataset that `skintern eval` answered (limit applied)."""
    from skintern.eval.stage import test_sets

    cfg = trained.eval if limit is None else trained.eval.model_copy(update={"limit": limit})
    sets = {}
    for dataset, examples in test_sets(cfg, trained.run_dir).items():
        done = our_predictions(trained, dataset)
        sets[dataset] = [ex for ex in examples if ex.id in done]
    return {name: examples for name, examples in sets.items() if examples}


def write_tasks(trained: Trained, limit: int | None, tokenizer: Any) -> list[HarnessTask]:
    """One lm-eval task per test dataset of `trained.method`, under RUN/eval/harness/METHOD/."""
    from skintern.train.context import build_context
    from skintern.train.methods import methods

    method = methods.get(trained.method)
    if method.stages > 1:
        raise ConfigError(
            f"method {method.name!r} answers in {method.stages} stages; an lm-eval task "
            "prompts once",
            where="--method",
            hint="choose a one-stage method (std-cot, skintern, ...)",
        )
    ctx = build_context(method, getattr(trained.train.methods, method.name), trained.run_dir)
    root = trained.run_dir / "eval" / "harness" / method.name
    return [
        write_task(root / dataset, method, ctx, examples, tokenizer, trained.eval.sampling())
        for dataset, examples in question_sets(trained, limit).items()
    ]


def harness_model(trained: Trained, load: Load, batch_size: int) -> Any:
    """lm-eval's `HFLM`: base + adapter loaded by lm-eval itself (`peft=`), or the weights
    merged by skintern (those `skintern export` writes) handed over in memory."""
    from lm_eval.models.huggingface import HFLM

    from skintern.eval.student import is_adapter
    from skintern.models import resolve
    from skintern.pipeline.student import load as load_merged

    common = {"batch_size": batch_size, "device": trained.eval.device or "cpu"}
    if load == "merged":
        student = load_merged(trained)
        return HFLM(pretrained=student.model, tokenizer=student.tokenizer, **common)
    if not is_adapter(trained.checkpoint):  # fully fine-tuned: the folder is the model
        return HFLM(pretrained=str(trained.checkpoint), dtype=trained.eval.dtype, **common)
    base = str(resolve(trained.train.model))
    return HFLM(pretrained=base, peft=str(trained.checkpoint), dtype=trained.eval.dtype, **common)


def lm_eval_score() -> LmScore:
    """lm-eval's own filter and metric (those the task YAML names), as one function."""
    from lm_eval.api.metrics import exact_match_hf_evaluate
    from lm_eval.filters.extraction import RegexFilter

    regex = RegexFilter(regex_pattern=BBH_STRICT_REGEX)

    def score(text: str, target: str) -> tuple[str, bool]:
        kept = list(regex.apply([[text]], [{}]))[0][0]
        found = exact_match_hf_evaluate([kept], [target], **BBH_EXACT_MATCH)["exact_match"]
        return kept, bool(found)

    return score


def evaluate(tasks: list[HarnessTask], lm: Any) -> dict[str, Any]:
    """Run lm-eval on the written tasks; its results, per-sample logs included."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=[str(t.folder) for t in tasks], include_defaults=False)
    return simple_evaluate(
        model=lm,
        tasks=[t.name for t in tasks],
        task_manager=manager,
        log_samples=True,
        bootstrap_iters=0,
    )


def compare_task(task: HarnessTask, trained: Trained, results: dict[str, Any]) -> dict[str, Any]:
    """Write the task's comparison.jsonl; its summary, lm-eval's reported accuracy included."""
    from skintern.files import read_jsonl

    ours = our_predictions(trained, task.dataset)
    docs = {row["id"]: row for row in read_jsonl(task.folder / "docs.jsonl")}
    by_id = {ex.id: ex for ex in task.examples}
    score = lm_eval_score()
    rows = [
        compare_row(
            by_id[s["doc"]["id"]],
            docs[s["doc"]["id"]],
            ours[s["doc"]["id"]],
            s,
            trained.eval.sampling(),
            score,
        )
        for s in results["samples"][task.name]
        if s.get("filter") in (None, FILTER)
    ]
    write_jsonl(task.folder / "comparison.jsonl", rows)
    reported = results["results"][task.name].get(f"exact_match,{FILTER}")
    return {**summarize_rows(rows), "lm_eval_reported": 100 * reported}


def run_method(trained: Trained, opts: HarnessOptions, log: Log) -> dict[str, Any]:
    """lm-eval on one trained method over every test dataset; per-dataset summaries."""
    from skintern.models import load_tokenizer

    tasks = write_tasks(trained, opts.limit, load_tokenizer(trained.train.model))
    if not tasks:
        raise DataError(
            f"no test question of {trained.method!r} was evaluated by skintern",
            where=str(trained.run_dir / "eval" / trained.method),
            hint=f"run `skintern eval --run-dir {trained.run_dir}` first",
        )
    batch = opts.batch_size or trained.eval.batch_size
    log(f"{trained.method}: lm-eval on {', '.join(t.name for t in tasks)} ({opts.load})")
    results = evaluate(tasks, harness_model(trained, opts.load, batch))
    return {task.dataset: compare_task(task, trained, results) for task in tasks}


def settings_of(trained: Trained, opts: HarnessOptions, version: str) -> dict[str, Any]:
    """What the two sides were run with: the facts the report's explanations cite."""
    from skintern.answers import extractor_info

    examples = [ex for exs in question_sets(trained, opts.limit).values() for ex in exs]
    extractors = sorted({"{extractor} v{version}".format(**extractor_info(ex)) for ex in examples})
    sampling = trained.eval.sampling()
    return {
        "lm_eval_version": version,
        "load": opts.load,
        "batch_size": opts.batch_size or trained.eval.batch_size,
        "max_new_tokens": sampling.max_new_tokens,
        "stop": list(sampling.stop),
        "stop_at_answer": sampling.stop_at_answer,
        "extractors": extractors,
        "lm_eval_filter": {"name": FILTER, "regex": BBH_STRICT_REGEX, "take": "first"},
        "lm_eval_metric": {"exact_match": BBH_EXACT_MATCH},
    }


def run_harness(run_dir: Path, opts: HarnessOptions, log: Log | None = None) -> dict[str, Any]:
    """lm-eval on every chosen trained method; writes and returns RUN/eval/harness/summary.json."""
    from skintern.report.harness import render

    log = log or (lambda _line: None)
    version = require_lm_eval()
    chosen = opts.methods or trained_methods(run_dir) or [None]
    trained = [open_trained(run_dir, name) for name in chosen]
    if trained[0].eval.threads is not None:
        import torch

        torch.set_num_threads(trained[0].eval.threads)
    summary = {
        "run_dir": str(run_dir),
        "settings": settings_of(trained[0], opts, version),
        "methods": {t.method: run_method(t, opts, log) for t in trained},
    }
    folder = run_dir / "eval" / "harness"
    write_json(folder / "summary.json", summary)
    with atomic_open(folder / "harness.md") as handle:
        handle.write(render(summary))
    if (run_dir / "report.md").is_file():  # the run's report shows the comparison too
        from skintern.report.stage import run as report

        report([run_dir])
    return summary

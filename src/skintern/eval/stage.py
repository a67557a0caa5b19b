"""Stage `eval`: every configured method on every test dataset: generate, extract, score, cost.

Reads: the test split files `RUN/data/manifest.json` lists, `RUN/train/METHOD/adapter/` for
trained methods, and what each method declares its prompts read (`Method.inputs`: KARD's
retrieved knowledge, few-shot exemplars from the train split, ...).
Writes: `RUN/eval/METHOD/DATASET/predictions.jsonl` (appended as batches finish; a rerun skips
ids already there), `RUN/eval/METHOD/DATASET/metrics.json`, `RUN/eval/METHOD/metrics.json`
and `RUN/eval/manifest.json`.
CLI: `skintern eval --config CONFIG --run-dir RUN [key=value ...]`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from skintern.data.example import Example
from skintern.data.manifest import read_data_manifest, split_files
from skintern.data.stage import read_split
from skintern.errors import DataError, ResumeError
from skintern.eval.config import EvalConfig
from skintern.eval.cost import reference_flops
from skintern.eval.flops import FlopsModel
from skintern.eval.infer import predict
from skintern.eval.metrics import aggregate, summarize
from skintern.eval.predictions import append_rows, read_done
from skintern.eval.student import checkpoint_for, load_student
from skintern.files import read_json
from skintern.rundir import write_json, write_manifest
from skintern.train.config import MethodsConfig
from skintern.train.context import build_context
from skintern.train.methods import Method, MethodContext, methods

Log = Callable[[str], None]


def test_sets(cfg: EvalConfig, run_dir: Path) -> dict[str, list[Example]]:
    """The run's test examples by dataset, `eval.datasets` and `eval.limit` applied."""
    by_dataset: dict[str, list[Example]] = {}
    for example in read_split(run_dir, "test"):
        by_dataset.setdefault(example.dataset, []).append(example)
    wanted = cfg.datasets or sorted(by_dataset)
    missing = [name for name in wanted if name not in by_dataset]
    if missing:
        raise DataError(
            f"eval.datasets names {missing}, not in the run's test data "
            f"({', '.join(sorted(by_dataset)) or 'none'})",
            where=str(run_dir / "data" / "test"),
            hint="add them to data.test and rerun `skintern data`",
        )
    return {name: _limited(by_dataset[name], cfg.limit) for name in wanted}


def _limited(examples: list[Example], limit: int | None) -> list[Example]:
    if limit is None:
        return examples
    seen: dict[str, int] = {}
    kept = []
    for example in examples:
        seen[example.task] = seen.get(example.task, 0) + 1
        if seen[example.task] <= limit:
            kept.append(example)
    return kept


def _backend(cfg: EvalConfig, checkpoint: Path | None, base: Any) -> tuple[Any, Any]:
    """(backend, the LoadedModel it wraps or None for vLLM)."""
    if cfg.backend == "vllm":
        from skintern.eval.backend import VllmBackend
        from skintern.eval.student import is_adapter
        from skintern.models import resolve

        adapter = checkpoint if checkpoint is not None and is_adapter(checkpoint) else None
        folder = checkpoint if checkpoint is not None and adapter is None else resolve(cfg.model)
        return VllmBackend(folder, adapter, cfg.sampling(), cfg.dtype), None
    from skintern.eval.backend import TransformersBackend

    student = load_student(cfg, checkpoint, base)
    return TransformersBackend(student.model, student.tokenizer, cfg.sampling()), student


def evaluate_method(
    cfg: EvalConfig,
    run_dir: Path,
    method: Method,
    ctx: MethodContext,
    tests: dict[str, list[Example]],
    flops: FlopsModel,
    log: Log,
) -> dict[str, dict[str, Any]]:
    """Predict what is not done yet for `method`, then score each dataset; per-dataset metrics."""
    checkpoint = checkpoint_for(method.name, method.trains, cfg, run_dir)
    backend = None
    metrics: dict[str, dict[str, Any]] = {}
    for dataset, examples in tests.items():
        folder = run_dir / "eval" / method.name / dataset
        check_settings(folder, settings_of(cfg, checkpoint))
        done = read_done(folder / "predictions.jsonl")
        done_ids = {row["id"] for row in done}
        pending = [ex for ex in examples if ex.id not in done_ids]
        if pending:
            if backend is None:
                backend, _ = _backend(cfg, checkpoint, None)
            done += _predict_pending(backend, method, ctx, pending, cfg, flops, folder, log)
        wanted = {ex.id for ex in examples}
        rows = [row for row in done if row["id"] in wanted]
        summary = summarize(rows, cfg.bootstrap_samples, cfg.seed)
        metrics[dataset] = {
            "method": method.name,
            "dataset": dataset,
            "model": cfg.model,
            "checkpoint": str(checkpoint) if checkpoint else None,
            **summary,
        }
        write_json(folder / "metrics.json", metrics[dataset])
        log(f"{method.name} / {dataset}: {_pct(summary['accuracy'])} on {summary['n']}")
    return metrics


def settings_of(cfg: EvalConfig, checkpoint: Path | None) -> dict[str, Any]:
    """What decides the predictions (batch size does not: batched equals one-by-one)."""
    sampling = asdict(cfg.sampling())
    sampling.pop("batch_size")
    sampling["stop"] = list(sampling["stop"])
    return {
        "model": cfg.model,
        "checkpoint": str(checkpoint) if checkpoint else None,
        "backend": cfg.backend,
        "dtype": cfg.dtype,
        **sampling,
    }


def check_settings(folder: Path, settings: dict[str, Any]) -> None:
    """Record the settings of a predictions folder, or refuse to extend it under other ones."""
    path = folder / "settings.json"
    if not path.is_file():
        write_json(path, settings)
        return
    before = read_json(path)
    changed = [
        f"{k}: {before.get(k)!r} -> {v!r}" for k, v in settings.items() if before.get(k) != v
    ]
    if changed:
        raise ResumeError(
            "predictions here were made with other settings (" + "; ".join(changed) + ")",
            where=str(folder),
            hint="delete the folder to redo it with the new settings, or restore the old ones",
        )


def _predict_pending(
    backend: Any,
    method: Method,
    ctx: MethodContext,
    pending: list[Example],
    cfg: EvalConfig,
    flops: FlopsModel,
    folder: Path,
    log: Log,
) -> list[dict[str, Any]]:
    path = folder / "predictions.jsonl"
    new: list[dict[str, Any]] = []
    started, tokens = time.perf_counter(), 0
    for rows in predict(backend, method, ctx, pending, cfg.batch_size, flops):
        append_rows(path, rows)
        new += rows
        tokens += sum(row["generated_tokens"] for row in rows)
        elapsed = time.perf_counter() - started
        eta = elapsed / len(new) * (len(pending) - len(new))
        log(
            f"{method.name} / {folder.name}: {len(new)}/{len(pending)} "
            f"({tokens / elapsed:.1f} tok/s, ETA {eta:.0f}s)"
        )
    return new


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _contexts(names: list[str], run_dir: Path, settings: Any) -> dict[str, MethodContext]:
    """Each method's context, built as training builds it (same prompts at both times)."""
    data_dir = read_data_manifest(run_dir).config.get("data_dir")
    examples = read_split(run_dir, "train") if split_files(run_dir, "train") else []
    return {
        name: build_context(methods.get(name), getattr(settings, name), run_dir, examples, data_dir)
        for name in dict.fromkeys(names)
    }


def run(
    cfg: EvalConfig, run_dir: Path, settings: Any = None, log: Log | None = None
) -> dict[str, Any]:
    """Evaluate every method in `cfg.methods`; returns the manifest.

    `settings` are the methods' own settings (`train.methods`: KARD's corpus, ...; default:
    theirs), so the inference prompts are built from the same context as the training records.
    """
    log = log or (lambda _line: None)
    started = time.time()
    settings = settings if settings is not None else MethodsConfig()
    chosen = [methods.get(name) for name in cfg.methods]
    for method in chosen:  # a missing trained model stops the stage before any work
        checkpoint_for(method.name, method.trains, cfg, run_dir)
    if cfg.threads is not None:
        import torch

        torch.set_num_threads(cfg.threads)
    tests = test_sets(cfg, run_dir)
    contexts = _contexts([*cfg.methods, cfg.reference.method], run_dir, settings)
    flops, reference = reference_flops(cfg, contexts[cfg.reference.method], tests)
    summary: dict[str, Any] = {}
    for method in chosen:
        ctx = contexts[method.name]
        per_dataset = evaluate_method(cfg, run_dir, method, ctx, tests, flops, log)
        overall = aggregate(per_dataset, cfg.in_domain)
        ref_cost = per_dataset.get(cfg.reference.dataset, {}).get("prefill_flops")
        overall["relative_flops"] = (
            ref_cost / reference["prefill_flops"] if ref_cost and reference else None
        )
        summary[method.name] = {
            **overall,
            "accuracy": {name: m["accuracy"] for name, m in per_dataset.items()},
        }
        write_json(
            run_dir / "eval" / method.name / "metrics.json",
            {"method": method.name, "model": cfg.model, **overall, "datasets": per_dataset},
        )
    return write_manifest(
        run_dir / "eval",
        stage="eval",
        config=cfg.model_dump(mode="json"),
        counts={name: len(examples) for name, examples in tests.items()},
        reference=reference,
        methods=summary,
        seconds=round(time.time() - started, 2),
    )

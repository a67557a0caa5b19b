"""The `MethodContext` of a run, read from its directory: teacher rationales and knowledge, the
curriculum's step records (SKIntern) and the KARD retriever. Evaluation builds the same context
with `build_context`, so inference prompts match training ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.data.example import Example
from skintern.errors import DataError
from skintern.files import read_json, read_jsonl
from skintern.records import Knowledge, Rationale, read_records
from skintern.train.config import TrainConfig
from skintern.train.methods.base import Method, MethodContext
from skintern.train.retrieval import PassageRetriever, knowledge_passages, read_corpus


def read_teacher(run_dir: Path) -> tuple[dict[str, list[Rationale]], dict[str, Knowledge]]:
    """Rationales by Example id and knowledge by key; absent files give empty maps."""
    rationales: dict[str, list[Rationale]] = {}
    path = run_dir / "teacher" / "rationales.jsonl"
    if path.is_file():
        for rationale in read_records(path, Rationale):
            rationales.setdefault(rationale.id, []).append(rationale)
    path = run_dir / "teacher" / "knowledge.jsonl"
    knowledge = {k.key: k for k in read_records(path, Knowledge)} if path.is_file() else {}
    return rationales, knowledge


def curriculum_plan(run_dir: Path) -> list[dict[str, Any]]:
    """The curriculum manifest's steps (t, S_t, epochs, file), checked to be usable here."""
    path = run_dir / "curriculum" / "manifest.json"
    if not path.is_file():
        raise DataError(
            "method 'skintern' needs the curriculum stage's output",
            where=str(path),
            hint="run `skintern curriculum` first",
        )
    manifest = read_json(path)
    if manifest.get("mode") == "optimizer-step":
        raise DataError(
            "per-optimizer-step curricula (curriculum.per_optimizer_step) are not trained yet",
            where=str(path),
            hint="set curriculum.per_optimizer_step=false",
        )
    return list(manifest["steps"])


def read_steps(run_dir: Path, plan: Sequence[dict[str, Any]]) -> dict[int, dict[str, list]]:
    """Step t -> Example id -> its rows in `RUN/curriculum/step-t.jsonl`."""
    steps: dict[int, dict[str, list]] = {}
    for entry in plan:
        rows: dict[str, list] = {}
        path = run_dir / "curriculum" / entry.get("file", f"step-{entry['step']}.jsonl")
        for lineno, row in enumerate(read_jsonl(path), start=1):
            if "prompt" not in row or "target" not in row:
                raise DataError("curriculum row lacks prompt or target", where=f"{path}:{lineno}")
            rows.setdefault(row.get("example") or row["id"], []).append(row)
        steps[int(entry["step"])] = rows
    return steps


def build_retriever(cfg: TrainConfig, knowledge: dict[str, Knowledge]) -> PassageRetriever:
    """KARD's BM25 retriever over `train.kard_corpus`, else the knowledge bank's passages."""
    if cfg.kard_corpus:
        passages = read_corpus(Path(cfg.kard_corpus))
    else:
        passages = knowledge_passages(knowledge[k] for k in sorted(knowledge))
    return PassageRetriever(passages, k=cfg.kard_passages)


def build_context(
    method: Method,
    cfg: TrainConfig,
    run_dir: Path,
    train: Sequence[Example] = (),
    data_dir: str | None = None,
) -> MethodContext:
    """Everything `method` reads to render records and inference prompts for this run."""
    rationales, knowledge = read_teacher(run_dir)
    extras: dict[str, Any] = {
        "cascod_alpha": cfg.cascod_alpha,
        "data_dir": data_dir,
        "train_examples": list(train),
    }
    if method.needs_retrieval:
        extras["retriever"] = build_retriever(cfg, knowledge)
    if method.needs_curriculum:
        plan = curriculum_plan(run_dir)
        if cfg.skintern_steps is not None and cfg.skintern_steps != len(plan):
            raise DataError(
                f"train.skintern_steps = {cfg.skintern_steps} but the curriculum wrote "
                f"{len(plan)} steps",
                where=str(run_dir / "curriculum"),
                hint="set curriculum.steps to the same T and rerun `skintern curriculum`",
            )
        extras["plan"] = plan
        extras["steps"] = read_steps(run_dir, plan)
    return MethodContext(rationales, knowledge, extras)

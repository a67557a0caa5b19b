"""The `MethodContext` of a run, read from its directory: only the inputs the method declares
(`Method.inputs`): teacher rationales and knowledge, the curriculum's step records (SKIntern),
a passage retriever (KARD), the training examples and data root (few-shot-CoT), and the teacher's
token logprobs mapped onto the student's vocabulary (std-cot-kd; only when the student is named,
as training does: inference prompts never need them). Evaluation builds the same context with
`build_context`, so inference prompts match training ones."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.curriculum.manifest import read_curriculum, read_step_rows
from skintern.data.example import Example
from skintern.errors import ConfigError, DataError
from skintern.records import Knowledge, Rationale, RationaleTokens, read_records
from skintern.train.methods.base import (
    Curriculum,
    Input,
    Method,
    MethodContext,
    PassageSettings,
    SoftSettings,
)
from skintern.train.retrieval import PassageRetriever, knowledge_passages, read_corpus


def read_rationales(run_dir: Path) -> dict[str, list[Rationale]]:
    """Kept rationales by Example id; no file gives an empty map."""
    rationales: dict[str, list[Rationale]] = {}
    path = run_dir / "teacher" / "rationales.jsonl"
    if path.is_file():
        for rationale in read_records(path, Rationale):
            rationales.setdefault(rationale.id, []).append(rationale)
    return rationales


def read_knowledge(run_dir: Path) -> dict[str, Knowledge]:
    """Knowledge by key (Example id or task); no file gives an empty map."""
    path = run_dir / "teacher" / "knowledge.jsonl"
    return {k.key: k for k in read_records(path, Knowledge)} if path.is_file() else {}


def read_curriculum_input(run_dir: Path) -> Curriculum:
    """The curriculum's step files as its manifest lists them: step t -> Example id -> rows."""
    manifest = read_curriculum(run_dir)
    if manifest.mode == "optimizer-step":
        raise DataError(
            "per-optimizer-step curricula (curriculum.per_optimizer_step) are not trained yet",
            where=str(run_dir / "curriculum" / "manifest.json"),
            hint="set curriculum.per_optimizer_step=false and rerun `skintern curriculum`",
        )
    rows: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for step in manifest.steps:
        by_example: dict[str, list[dict[str, Any]]] = {}
        for row in read_step_rows(run_dir, step):
            by_example.setdefault(row.get("example") or row["id"], []).append(row)
        rows[step.step] = by_example
    return Curriculum(manifest.steps, rows)


def teacher_logprobs(run_dir: Path) -> tuple[int, str | None]:
    """(K, teacher tokenizer) as the teacher stage's manifest records them; (0, None) if none."""
    path = run_dir / "teacher" / "manifest.json"
    if not path.is_file():
        return 0, None
    found = json.loads(path.read_text(encoding="utf-8")).get("rationales", {}).get("logprobs", {})
    return int(found.get("top_k") or 0), found.get("tokenizer")


def vocab_problem(teacher: str | None, top_k: int, student: str) -> str | None:
    """Why the teacher's logprobs cannot be distilled into `student`, or None when they can."""
    from skintern.models import load_tokenizer
    from skintern.models.vocab import check_vocab

    if not top_k or not teacher:
        return "the teacher stage kept no logprobs (teacher.rationales.logprobs = 0)"
    if teacher == student:
        return None
    return check_vocab(load_tokenizer(teacher), load_tokenizer(student), teacher, student)


def read_soft_input(
    method: Method, settings: SoftSettings, run_dir: Path, student: str
) -> dict[str, Any]:
    """`MethodContext` fields of the teacher's tokens: mapped, or a text-only fallback (with
    its reason) when the settings allow it; a mismatch is otherwise one error."""
    from skintern.models import load_tokenizer
    from skintern.models.vocab import VocabMap

    top_k, teacher = teacher_logprobs(run_dir)
    problem = vocab_problem(teacher, top_k, student)
    if problem and settings.on_mismatch == "error":
        raise ConfigError(
            f"{method.name} cannot distil the teacher's logprobs: {problem}",
            where=f"train.methods.{method.name}.on_mismatch",
            hint=f"use a teacher with the student's tokenizer and teacher.rationales.logprobs=K, "
            f"or set train.methods.{method.name}.on_mismatch=text-only to distil text alone",
        )
    if problem:
        return {"soft_fallback": problem}
    tokens: dict[str, dict[int, RationaleTokens]] = {}
    path = run_dir / "teacher" / "logprobs.jsonl"
    present = path.is_file() and path.stat().st_size > 0  # no kept rationale: an empty file
    for row in read_records(path, RationaleTokens) if present else []:
        tokens.setdefault(row.id, {})[row.sample] = row
    return {"teacher_tokens": tokens, "vocab": VocabMap(load_tokenizer(student))}


def build_retriever(settings: PassageSettings, knowledge: dict[str, Knowledge]) -> PassageRetriever:
    """A BM25 retriever over the settings' `corpus`, else the knowledge bank's passages."""
    if settings.corpus:
        passages = read_corpus(Path(settings.corpus))
    else:
        passages = knowledge_passages(knowledge[k] for k in sorted(knowledge))
    return PassageRetriever(passages, k=settings.passages)


def build_context(
    method: Method,
    settings: Any,
    run_dir: Path,
    train: Sequence[Example] = (),
    data_dir: str | None = None,
    student: str | None = None,
) -> MethodContext:
    """Everything `method` declares it reads, for this run; `settings` are its own settings
    (an instance of `method.settings_model`, e.g. `cfg.train.methods.kard`); `student` (training)
    maps the teacher's tokens onto its vocabulary when the method reads them."""
    if not isinstance(settings, method.settings_model):
        raise TypeError(f"{method.name}: settings must be {method.settings_model.__name__}")
    inputs = method.inputs
    knowledge = read_knowledge(run_dir) if inputs & {Input.KNOWLEDGE, Input.PASSAGES} else {}
    soft = {}
    if Input.TEACHER_TOKENS in inputs and student is not None:
        soft = read_soft_input(method, settings, run_dir, student)
    return MethodContext(
        rationales=read_rationales(run_dir) if Input.RATIONALES in inputs else {},
        knowledge=knowledge if Input.KNOWLEDGE in inputs else {},
        settings=settings,
        curriculum=read_curriculum_input(run_dir) if Input.CURRICULUM in inputs else None,
        retriever=build_retriever(settings, knowledge) if Input.PASSAGES in inputs else None,
        train_examples=tuple(train) if Input.TRAIN_EXAMPLES in inputs else (),
        data_dir=data_dir if Input.DATA_ROOT in inputs else None,
        **soft,
    )

"""Stage `teacher`: CoT rationales and symbolic knowledge for every training example.

Reads: the train split files `RUN/data/manifest.json` lists; the backend (a server, a local
  model or replayed files); a knowledge bank or demonstrations file when configured (relative to
  the data root).
Writes: `RUN/teacher/cache.sqlite` (every answered request, kept across runs),
  `RUN/teacher/rationales.jsonl` (kept rationales, "Therefore, the answer is X."),
  `RUN/teacher/knowledge.jsonl`, `RUN/teacher/manifest.json`; with `rationales.logprobs` K > 0,
  `RUN/teacher/logprobs.jsonl` (each kept rationale's teacher tokens with their top-K logprobs:
  the backend's, or with `rationales.score_with` those of a local model reading the question
  prompt and the rationale teacher-forced, `skintern.teacher.scoring`).
CLI: `skintern teach --config CONFIG --run-dir RUN`.

Started again after a crash or Ctrl-C it sends only the requests (and scores only the rationales)
the cache lacks, and since the outputs are rebuilt from the cache at the end, it ends with the
same files as an uninterrupted run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.data.example import Example
from skintern.data.manifest import split_files
from skintern.data.stage import read_split
from skintern.errors import DataError
from skintern.paths import data_root
from skintern.rundir import fingerprint, write_jsonl, write_manifest
from skintern.teacher.accounting import ProgressBar, Tally, estimate_cost
from skintern.teacher.backends import Backend, Completion, Request, Result, backends
from skintern.teacher.backends.replay import resolve_path
from skintern.teacher.cache import Cache
from skintern.teacher.config import TeacherConfig, check_runnable, teacher_tokenizer
from skintern.teacher.knowledge import read_bank, read_demonstrations
from skintern.teacher.outputs import (
    KnowledgeOutput,
    RationaleOutput,
    build_rationales,
    build_teacher_knowledge,
    select_bank,
)
from skintern.teacher.plan import knowledge_requests, rationale_requests
from skintern.teacher.prompts import PROMPT_VERSION
from skintern.teacher.scoring import SCORE_VERSION, ScoreOutput, score_rationales


def _root(data_dir: str | None) -> Path | None:
    """The data root when there is one; paths in the config may also be absolute."""
    try:
        return data_root(data_dir)
    except DataError:
        return None


def plan_requests(
    cfg: TeacherConfig, identity: str, examples: Sequence[Example], root: Path | None
) -> tuple[list[Request], list[Request]]:
    """(rationale requests, knowledge requests) this config asks of the backend."""
    rationales = rationale_requests(cfg, identity, examples) if cfg.rationales.enabled else []
    knowledge: list[Request] = []
    if cfg.knowledge.source == "teacher":
        demos = []
        if cfg.knowledge.demonstrations:
            demos = read_demonstrations(resolve_path(cfg.knowledge.demonstrations, root))
        knowledge = knowledge_requests(cfg, identity, examples, demos)
    return rationales, knowledge


def ask(
    backend: Backend, pending: Sequence[Request], cache: Cache, tally: Tally, progress: bool
) -> None:
    """Send `pending`, committing each answer to the cache the moment it arrives."""
    kinds = {request.key: request.kind for request in pending}
    backend.check()
    tally.sent = len(pending)
    with ProgressBar(tally, progress) as bar:

        def on_result(result: Result) -> None:
            if isinstance(result, Completion):
                cache.put(kinds[result.key], [result])
            else:
                cache.record_failure(result)
            tally.add(result)
            bar.update()

        backend.generate(pending, on_result)


def _knowledge(
    cfg: TeacherConfig,
    requests: Sequence[Request],
    cached: dict[str, Any],
    examples: Sequence[Example],
    root: Path | None,
    identity: str,
) -> KnowledgeOutput:
    if cfg.knowledge.source == "teacher":
        return build_teacher_knowledge(requests, cached, identity)
    if cfg.knowledge.source == "bank" and cfg.knowledge.bank:
        path = resolve_path(cfg.knowledge.bank, root)
        return select_bank(read_bank(path, f"bank:{path.name}"), examples)
    return KnowledgeOutput([])


def _write(out_dir: Path, cfg: TeacherConfig, rat: RationaleOutput, know: KnowledgeOutput) -> None:
    if cfg.rationales.enabled:
        write_jsonl(out_dir / "rationales.jsonl", (r.to_dict() for r in rat.rationales))
    tokens = out_dir / "logprobs.jsonl"
    if cfg.rationales.enabled and cfg.rationales.logprobs:
        write_jsonl(tokens, (t.to_dict() for t in rat.tokens))
    elif tokens.exists():  # soft targets of an earlier config would be read as this run's
        tokens.unlink()
    stale = out_dir / "knowledge.jsonl"
    if know.knowledge:
        write_jsonl(stale, (k.to_dict() for k in know.knowledge))
    elif stale.exists():  # a file from an earlier config would be read as this run's
        stale.unlink()


def _answer(
    cfg: TeacherConfig,
    backend_cls: type[Backend],
    unique: Sequence[Request],
    cache: Cache,
    root: Path | None,
) -> Tally:
    """Ask the backend for what the cache lacks (it is not even built when nothing is)."""
    hits = cache.keys(r.key for r in unique)
    pending = [r for r in unique if r.key not in hits]
    tally = Tally(total=len(unique), cache_hits=len(hits))
    if pending:
        backend = backend_cls(cfg, root)
        try:
            ask(backend, pending, cache, tally, cfg.progress)
        finally:
            backend.close()
    return tally


def run(cfg: TeacherConfig, run_dir: Path, *, data_dir: str | None = None) -> dict[str, Any]:
    """Ask (or replay) the teacher for every training example; returns the manifest."""
    started = time.time()
    check_runnable(cfg)
    out_dir = Path(run_dir) / "teacher"
    examples = read_split(Path(run_dir), "train")
    backend_cls = backends.get(cfg.backend)
    identity = backend_cls.identity(cfg)
    root = _root(data_dir)
    rationale_reqs, knowledge_reqs = plan_requests(cfg, identity, examples, root)
    unique = list({r.key: r for r in [*rationale_reqs, *knowledge_reqs]}.values())

    cache = Cache(out_dir / "cache.sqlite")
    try:
        tally = _answer(cfg, backend_cls, unique, cache, root)
        cached = cache.get_many(r.key for r in unique)
        rat = build_rationales(examples, rationale_reqs, cached, identity)
        scored = None
        if cfg.rationales.enabled and cfg.rationales.score_with:
            scored = score_rationales(cfg, examples, rat.rationales, cache)
            rat.tokens = scored.tokens
    finally:
        cache.close()

    know = _knowledge(cfg, knowledge_reqs, cached, examples, root, identity)
    _write(out_dir, cfg, rat, know)
    return write_manifest(
        out_dir,
        **_manifest_fields(cfg, run_dir, identity, tally, cached, rat, know),
        scoring=_scoring(cfg, scored),
        wall_seconds=round(time.time() - started, 2),
    )


def _scoring(cfg: TeacherConfig, scored: ScoreOutput | None) -> dict[str, Any] | None:
    """Which model scored the rationales, with what K and dtype, and how many it computed."""
    if scored is None:
        return None
    tally = scored.tally
    return {
        "model": cfg.rationales.score_with,
        "top_k": cfg.rationales.logprobs,
        "dtype": cfg.local.dtype,
        "version": SCORE_VERSION,
        "rationales": tally.total,
        "scored": tally.completed,
        "cache_hits": tally.cache_hits,
        "target_tokens": tally.completion_tokens,
        "seconds": round(time.monotonic() - tally.started, 2),
    }


def _logprob_counts(cfg: TeacherConfig, rat: RationaleOutput) -> dict[str, Any]:
    """K, the teacher's tokenizer, and how many rationale tokens carry soft targets."""
    if not cfg.rationales.logprobs:
        return {"top_k": 0}
    return {
        "top_k": cfg.rationales.logprobs,
        "tokenizer": teacher_tokenizer(cfg),
        "rationales": len(rat.tokens),
        "tokens": sum(len(t.tokens) for t in rat.tokens),
    }


def _manifest_fields(
    cfg: TeacherConfig,
    run_dir: Path,
    identity: str,
    tally: Tally,
    cached: dict[str, Any],
    rat: RationaleOutput,
    know: KnowledgeOutput,
) -> dict[str, Any]:
    requests = tally.to_dict()
    if know.unparsed:  # a knowledge answer with neither section is a failed request
        requests["failures_by_reason"]["knowledge-format"] = know.unparsed
    prompt_all = sum(c.prompt_tokens for c in cached.values())
    completion_all = sum(c.completion_tokens for c in cached.values())
    inputs = {
        str(p.relative_to(run_dir)): fingerprint(p) for p in split_files(Path(run_dir), "train")
    }
    return {
        "stage": "teacher",
        "config": cfg.model_dump(mode="json"),
        "backend": identity,
        "prompt_version": PROMPT_VERSION,
        "inputs": inputs,
        "requests": requests,
        "missing": tally.total - len(cached),
        "tokens": {"prompt": tally.prompt_tokens, "completion": tally.completion_tokens},
        "tokens_in_cache": {"prompt": prompt_all, "completion": completion_all},
        "cost": estimate_cost(cfg.prices, tally.prompt_tokens, tally.completion_tokens),
        "cost_in_cache": estimate_cost(cfg.prices, prompt_all, completion_all),
        "rationales": {
            "written": len(rat.rationales) if cfg.rationales.enabled else 0,
            "logprobs": _logprob_counts(cfg, rat),
            "unanswered": sum(rat.unanswered.values()),
            "per_task": rat.counts.table() if cfg.rationales.enabled else {},
        },
        "knowledge": {
            "source": cfg.knowledge.source,
            "granularity": cfg.knowledge.granularity,
            "written": len(know.knowledge),
            "unparsed": know.unparsed,
            "missing": know.missing,
        },
    }

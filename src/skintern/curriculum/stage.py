"""Stage `curriculum`: what the student sees at each schedule step (paper section 3.2).

Reads: the split files `RUN/data/manifest.json` lists, `RUN/teacher/{rationales,knowledge}.jsonl`.
Writes: `RUN/curriculum/neighbors.jsonl` (top-K example ids per training example),
`RUN/curriculum/step-1.jsonl` ... `step-T.jsonl` (one (prompt, target) record per kept rationale),
`RUN/curriculum/compressions.jsonl` (the compression cache) and `RUN/curriculum/manifest.json`
(typed: `skintern.curriculum.manifest`; the student and schedule rendered for and, per step, its
file, S_t, K^t, epochs, mean compressed-knowledge length ratio, example counts, cuts). Step files
of an earlier config (a larger T) are removed.
CLI: `skintern curriculum --config CONFIG --run-dir RUN`.

With `per_optimizer_step`, the step files hold the grid values S = 1, (L-1)/L, ..., 0 in order and
the manifest says so; `schedule.level_index` maps optimizer progress to a file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.curriculum import schedule
from skintern.curriculum.compressors import CompressorContext, build, count_tokens
from skintern.curriculum.compressors.cache import CompressionCache
from skintern.curriculum.config import CurriculumConfig
from skintern.curriculum.manifest import STAGE, read_curriculum, read_step_rows
from skintern.curriculum.render import ablation_parts, fit
from skintern.curriculum.retrieval import Shown, build_pool, sample_kept, top_k
from skintern.curriculum.stats import StepStats
from skintern.data.example import Example
from skintern.data.manifest import split_files
from skintern.data.stage import read_split
from skintern.errors import DataError
from skintern.records import Knowledge, Rationale, read_records
from skintern.rundir import fingerprint, write_jsonl, write_manifest


@dataclass
class Inputs:
    """Everything the stage reads from the run directory."""

    train: list[Example]
    test: list[Example]
    rationales: dict[str, list[Rationale]]
    knowledge: dict[str, Knowledge]
    files: dict[str, str]  # path -> fingerprint


def read_inputs(run_dir: Path) -> Inputs:
    teacher = run_dir / "teacher"
    paths = {name: teacher / f"{name}.jsonl" for name in ("rationales", "knowledge")}
    for name, path in paths.items():
        if not path.is_file():
            raise DataError(f"no teacher {name}", where=str(path), hint="run `skintern teach`")
    rationales: dict[str, list[Rationale]] = {}
    for rationale in read_records(paths["rationales"], Rationale):
        rationales.setdefault(rationale.id, []).append(rationale)
    knowledge = {k.key: k for k in read_records(paths["knowledge"], Knowledge)}
    train = read_split(run_dir, "train")
    test = read_split(run_dir, "test") if split_files(run_dir, "test") else []
    data_files = [*split_files(run_dir, "train"), *split_files(run_dir, "test")]
    files = {str(p.relative_to(run_dir)): fingerprint(p) for p in [*paths.values(), *data_files]}
    return Inputs(train, test, rationales, knowledge, files)


def knowledge_for(example: Example, bank: dict[str, Knowledge]) -> Knowledge | None:
    """The example's own knowledge, else its task's, else None."""
    return bank.get(example.id) or bank.get(example.task)


def step_plan(cfg: CurriculumConfig) -> list[dict[str, Any]]:
    """One entry per step file: step t, S_t, K^t and epochs (None per optimizer step)."""
    plan = cfg.schedule
    if cfg.per_optimizer_step:
        values = schedule.levels_of(cfg.levels)
        epochs: list[int | None] = [None] * len(values)
    else:
        values = schedule.step_values(plan.decay, plan.steps, plan.exp_lambda, plan.values)
        epochs = list(plan.step_epochs or schedule.epochs_per_step(plan.epochs, plan.steps))
    return [
        {"step": t, "S_t": s, "K_t": schedule.examples_at(cfg.k, s), "epochs": e}
        for t, (s, e) in enumerate(zip(values, epochs, strict=True), start=1)
    ]


@dataclass
class Student:
    """The student's tokenizer as the stage needs it: counting and cutting tokens."""

    tokenizer: Any
    format_prompt: Callable[[Any, str], str]

    def count(self, text: str) -> int:
        return count_tokens(self.tokenizer, text)

    def count_prompt(self, prompt: str) -> int:
        """Tokens of `prompt` as the model sees it, chat template included."""
        return count_tokens(self.tokenizer, self.format_prompt(self.tokenizer, prompt))

    def truncate(self, text: str, n: int) -> str:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return self.tokenizer.decode(ids[:n]).strip()


@dataclass
class Renderer:
    """Renders one step's records; holds what every example needs."""

    cfg: CurriculumConfig
    inputs: Inputs
    neighbors: dict[str, list[str]]
    shown: dict[str, Shown]
    student: Student
    compress: Callable[[str, float], str]

    def example_records(self, example: Example, plan: dict[str, Any], stats: StepStats) -> list:
        summary, supplementary, with_examples = ablation_parts(self.cfg.ablation)
        bank = knowledge_for(example, self.inputs.knowledge)
        full = bank.text(summary, supplementary) if bank else ""
        if not full.strip():
            stats.missing_knowledge += 1
        compressed = self.compress(full, plan["S_t"]) if full.strip() else ""
        ids = self.neighbors.get(example.id, []) if with_examples else []
        kept = sample_kept(ids, plan["K_t"], self.cfg.seed, example.id, plan["step"])
        description = str(example.meta.get("task_description", ""))
        fitted = fit(
            description,
            compressed,
            [self.shown[i] for i in kept],
            example.question,
            self.cfg.max_prompt_tokens,
            self.student.count_prompt,
            self.student.truncate,
        )
        original, after = self.student.count(full), self.student.count(compressed)
        stats.add(original, after, fitted)
        common = {"example": example.id, "task": example.task, "step": plan["step"]}
        return [
            {
                "id": f"{example.id}#{r.sample}",
                **common,
                "S_t": plan["S_t"],
                "prompt": fitted.prompt,
                "target": r.text,
                "examples": [e.id for e in fitted.examples],
                "knowledge_tokens": original,
                "compressed_tokens": after,
                "knowledge_tokens_cut": fitted.knowledge_tokens_cut,
                "examples_cut": fitted.examples_cut,
            }
            for r in sorted(self.inputs.rationales[example.id], key=lambda r: r.sample)
        ]


def load_student(cfg: CurriculumConfig) -> tuple[Student, Callable[[], Any]]:
    """The student's tokenizer, and a loader for the LM that scores self-information (on use)."""
    from skintern.models import load_model, load_tokenizer
    from skintern.models.chat import format_prompt

    tokenizer = load_tokenizer(cfg.student)
    return Student(tokenizer, format_prompt), lambda: load_model(
        cfg.compressor_model or cfg.student, device="cpu"
    )


def _unchanged(out: Path, config: dict[str, Any], files: dict[str, str]) -> dict | None:
    path = out / "manifest.json"
    if not path.is_file():
        return None
    old = json.loads(path.read_text(encoding="utf-8"))
    steps_there = all((out / s["file"]).is_file() for s in old.get("steps", []))
    same = old.get("config") == config and old.get("inputs") == files
    return {**old, "skipped": True} if same and steps_there else None


def run(cfg: CurriculumConfig, run_dir: Path) -> dict[str, Any]:
    """Retrieve, compress and render every step; returns the manifest."""
    started = time.time()
    out = run_dir / STAGE
    plans = step_plan(cfg)  # a schedule it cannot render fails before anything is read
    inputs = read_inputs(run_dir)
    config = cfg.model_dump(mode="json")
    if (previous := _unchanged(out, config, inputs.files)) is not None:
        return previous
    queries = [e for e in inputs.train if e.id in inputs.rationales]
    if not queries:
        raise DataError("no training example has a teacher rationale", where=str(run_dir))
    rationales = [r for group in inputs.rationales.values() for r in group]
    pool = build_pool(inputs.train, rationales, inputs.test)
    found = top_k(queries, pool, cfg.k, cfg.retriever, cfg.same_task, cfg.near_duplicate)
    rows = (
        {"id": q, "neighbors": [i for i, _ in n], "scores": [s for _, s in n]}
        for q, n in found.items()
    )
    write_jsonl(out / "neighbors.jsonl", rows)
    student, scorer = load_student(cfg)
    context = CompressorContext(student.tokenizer, cfg.seed, scorer, cfg.llmlingua2_model)
    compressor = build(cfg.compressor, context)
    cache = CompressionCache(out / "compressions.jsonl")
    renderer = Renderer(
        cfg,
        inputs,
        {q: [i for i, _ in n] for q, n in found.items()},
        {s.id: s for s in pool},
        student,
        lambda text, rate: cache.compress(compressor, text, rate, cfg.seed),
    )
    for plan in plans:
        stats = StepStats()
        records = [r for e in queries for r in renderer.example_records(e, plan, stats)]
        plan["file"] = f"step-{plan['step']}.jsonl"
        plan["records"] = write_jsonl(out / plan["file"], records)
        plan.update(stats.summary())
    cache.save()
    _remove_unlisted(out, plans)
    return write_manifest(
        out,
        stage=STAGE,
        config=config,
        student=cfg.student,
        schedule=cfg.schedule.model_dump(mode="json"),
        inputs=inputs.files,
        mode="optimizer-step" if cfg.per_optimizer_step else "epoch-blocks",
        compressor={"name": compressor.name, "version": compressor.version},
        examples=len(queries),
        no_rationale=len(inputs.train) - len(queries),
        steps=plans,
        cache={"hits": cache.hits, "misses": cache.misses},
        seconds=round(time.time() - started, 2),
    )


def _remove_unlisted(out: Path, plans: list[dict[str, Any]]) -> None:
    """Delete step files an earlier config wrote (this stage owns RUN/curriculum/step-*.jsonl)."""
    listed = {plan["file"] for plan in plans}
    for path in sorted(out.glob("step-*.jsonl")):
        if path.name not in listed:
            path.unlink()


def read_step(run_dir: Path, step: int) -> list[dict[str, Any]]:
    """The records a previous run wrote for schedule step `step` (as its manifest lists)."""
    manifest = read_curriculum(run_dir)
    listed = {s.step: s for s in manifest.steps}
    if step not in listed:
        raise DataError(
            f"no records for step {step}; the curriculum has steps 1-{len(listed)}",
            where=str(run_dir / STAGE / "manifest.json"),
            hint="run `skintern curriculum`",
        )
    return read_step_rows(run_dir, listed[step])

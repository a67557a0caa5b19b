"""The comparison `skintern demo` prints, read from what the run wrote (no number typed in).

Per evaluated method: accuracy with its bootstrap 95% interval, and inference cost relative to
the run's reference prompts (`eval.reference`, e.g. zero-shot on the same questions): prompt
prefill FLOPs (the paper's measure) and full FLOPs (prefill + generated tokens). For contrast, the
prefill cost of KARD-style prompts on the same test questions: question + the top passages BM25
retrieves from the run's knowledge, as KARD sees at test time (no KARD model is trained for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skintern.config import RunConfig
from skintern.files import read_json


@dataclass(frozen=True)
class Row:
    """One line of the comparison."""

    name: str
    accuracy: float | None
    ci95: list[float] | None
    n: int
    prompt_tokens: float  # mean per question
    generated_tokens: float | None
    rel_prefill: float | None
    rel_full: float | None


def method_rows(run_dir: Path) -> tuple[list[Row], dict[str, Any] | None]:
    """A row per evaluated method (datasets pooled), and the eval manifest's reference."""
    manifest = read_json(run_dir / "eval" / "manifest.json")
    reference = manifest.get("reference")
    rows = []
    for method in manifest["methods"]:
        metrics = read_json(run_dir / "eval" / method / "metrics.json")
        parts = list(metrics["datasets"].values())
        n = sum(p["n"] for p in parts)
        correct = sum(p["correct"] for p in parts)
        ci = parts[0].get("ci95") if len(parts) == 1 else None  # pooled CIs are not additive
        rows.append(
            Row(
                name=method,
                accuracy=correct / n if n else None,
                ci95=ci,
                n=n,
                prompt_tokens=sum(p["prompt_tokens"] for p in parts) / max(n, 1),
                generated_tokens=sum(p["generated_tokens"] for p in parts) / max(n, 1),
                rel_prefill=_relative(
                    sum(p["prefill_flops"] for p in parts) / max(n, 1), reference
                ),
                rel_full=_relative(sum(p["flops"] for p in parts) / max(n, 1), reference),
            )
        )
    return rows, reference


def _relative(per_question: float, reference: dict[str, Any] | None) -> float | None:
    if not reference or not reference.get("n"):
        return None
    return per_question / (reference["prefill_flops"] / reference["n"])


def kard_row(cfg: RunConfig, run_dir: Path, reference: dict[str, Any] | None) -> Row | None:
    """The prefill cost of KARD prompts (retrieved passages + question) on the test questions."""
    from skintern.eval.cost import flops_model, prompt_prefill_flops
    from skintern.models import load_tokenizer
    from skintern.train.context import build_context
    from skintern.train.methods import methods

    kard = methods.get("kard")
    if not (run_dir / "teacher" / "knowledge.jsonl").is_file():
        return None
    settings = cfg.train.methods.kard
    ctx = build_context(kard, settings, run_dir)
    from skintern.eval.stage import test_sets

    tests = [ex for part in test_sets(cfg.eval, run_dir).values() for ex in part]
    prompts = [kard.inference_prompt(ex, ctx, 1) for ex in tests]
    tokenizer, flops = load_tokenizer(cfg.student), flops_model(cfg.student)
    total, tokens = prompt_prefill_flops(tokenizer, flops, prompts)
    n = len(prompts)
    return Row(
        f"kard-style prompt ({settings.passages} passages)",
        None,
        None,
        n,
        tokens / n,
        None,
        _relative(total / n, reference),
        None,
    )


def comparison(cfg: RunConfig, run_dir: Path) -> tuple[list[Row], dict[str, Any] | None]:
    """Every evaluated method, then the KARD-style prompt cost."""
    rows, reference = method_rows(run_dir)
    kard = kard_row(cfg, run_dir, reference)
    return rows + ([kard] if kard else []), reference

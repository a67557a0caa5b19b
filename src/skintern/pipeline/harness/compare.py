"""lm-eval's answers beside skintern's own, question by question, and where a gap comes from.

For each question, four verdicts on the same gold answer:

- `ours`: `skintern eval`'s (RUN/eval/METHOD/DATASET/predictions.jsonl);
- `aligned`: skintern's stops and extractor applied to lm-eval's raw generation (equal to
  `ours` when both generated the same text);
- `lm_cut`: lm-eval's regex and exact_match applied to that same stopped text;
- `lm_eval`: lm-eval's own verdict (its stops, its regex, its exact_match).

So the gap between lm-eval's accuracy and ours splits exactly into three terms: generation
(`aligned - ours`), answer regex and matching (`lm_cut - aligned`) and stop sequences
(`lm_eval - lm_cut`). The prompt term is zero by construction; `prompt_mismatches` counts the
questions where that was not so (lm-eval's context, or our stored prompt, differs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skintern.answers import extract_answer, is_correct
from skintern.data.example import Example
from skintern.eval.infer import lead_of
from skintern.models.decoding import Decoding
from skintern.models.generate import truncate_at_stop

# text, gold target -> (what lm-eval's filter kept, whether its metric counts it correct)
LmScore = Callable[[str, str], tuple[str, bool]]
TERMS = ("generation", "regex", "stop")


def stopped(raw: str, plain_prompt: str, sampling: Decoding) -> str:
    """`raw` cut where `skintern eval` stops (its stop strings, the finished answer sentence)."""
    lead = lead_of(plain_prompt)
    text, _ = truncate_at_stop(lead + raw, sampling.stop, sampling.stop_at_answer)
    return text[len(lead) :].strip()


def compare_row(  # noqa: PLR0913 (one question's evidence, all of it needed)
    example: Example,
    doc: dict[str, Any],
    ours: dict[str, Any],
    sample: dict[str, Any],
    sampling: Decoding,
    lm_score: LmScore,
) -> dict[str, Any]:
    """One question: what each side generated, extracted and scored, and why they differ."""
    raw = sample["resps"][0][0]
    cut = stopped(raw, doc["plain_prompt"], sampling)
    scored = f"{lead_of(doc['plain_prompt'])} {cut}".strip()
    lm_cut_answer, lm_cut = lm_score(cut, doc["target"])
    context = sample["arguments"][0][0] if sample.get("arguments") else None
    return {
        "id": example.id,
        "task": example.task,
        "gold": example.answer,
        "prompt_same": doc["plain_prompt"] == ours["prompt"] and context == doc["prompt"],
        "output_same": cut == ours["output"],
        "ours_output": ours["output"],
        "lm_eval_raw": raw,
        "ours_extracted": ours["extracted"],
        "aligned_extracted": extract_answer(scored, example),
        "lm_cut_filtered": lm_cut_answer,
        "lm_eval_filtered": sample["filtered_resps"][0],
        "ours": bool(ours["correct"]),
        "aligned": is_correct(scored, example),
        "lm_cut": lm_cut,
        "lm_eval": bool(sample["exact_match"]),
    }


def summarize_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracies (%) of the four verdicts, the gap's three terms, and counts that explain them."""
    n = len(rows)

    def pct(key: str) -> float:
        return 100 * sum(row[key] for row in rows) / n if n else 0.0

    acc = {key: pct(key) for key in ("ours", "aligned", "lm_cut", "lm_eval")}
    return {
        "n": n,
        "accuracy": acc,
        "terms": {
            "generation": acc["aligned"] - acc["ours"],
            "regex": acc["lm_cut"] - acc["aligned"],
            "stop": acc["lm_eval"] - acc["lm_cut"],
        },
        "prompt_mismatches": sum(not row["prompt_same"] for row in rows),
        "output_mismatches": sum(not row["output_same"] for row in rows),
        "flips": {
            "generation": _flips(rows, "ours", "aligned"),
            "regex": _flips(rows, "aligned", "lm_cut"),
            "stop": _flips(rows, "lm_cut", "lm_eval"),
        },
    }


def _flips(rows: list[dict[str, Any]], before: str, after: str) -> dict[str, Any]:
    """Questions the step from `before` to `after` turned right (+) or wrong (-), a few ids."""
    up = [row["id"] for row in rows if row[after] and not row[before]]
    down = [row["id"] for row in rows if row[before] and not row[after]]
    return {"gained": len(up), "lost": len(down), "examples": (down + up)[:3]}

"""The lm-evaluation-harness comparison as Markdown, from `RUN/eval/harness/summary.json`.

`skintern eval harness` writes the summary (`skintern.pipeline.harness`); this renders it for
`RUN/eval/harness/harness.md` and for the run's `report.md`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUMMARY = Path("eval") / "harness" / "summary.json"

_TERM_WHY = {
    "generation": "lm-eval generated other text than `skintern eval` (after skintern's stops)",
    "regex": "lm-eval's answer regex and exact_match judge the same text differently from "
    "skintern's extractor",
    "stop": "lm-eval's stops (no stop at the finished answer sentence) let it generate past "
    "the answer, and its regex read that",
}


def _num(value: float, signed: bool = False) -> str:
    value = round(value, 1) + 0.0  # no "-0.0"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def settings_table(settings: dict[str, Any]) -> str:
    """What differs between the two sides, and what does not."""
    stops = ", ".join(repr(s) for s in settings["stop"]) or "none"
    answer_stop = '; stop once "Therefore, the answer is X." is complete'
    metric = settings["lm_eval_metric"]["exact_match"]
    rows = [
        (
            "prompt",
            "method's inference prompt, chat template applied",
            "the same text (doc_to_text)",
        ),
        (
            "decoding",
            f"greedy, at most {settings['max_new_tokens']} new tokens",
            f"greedy, max_gen_toks {settings['max_new_tokens']}",
        ),
        (
            "stop",
            f"EOS, {stops}" + (answer_stop if settings["stop_at_answer"] else ""),
            f"EOS, until: {stops}",
        ),
        (
            "answer",
            "extractor per answer type: " + ", ".join(settings["extractors"]),
            f"regex `{settings['lm_eval_filter']['regex']}` (take first; BBH CoT strict-match)",
        ),
        (
            "match",
            "extractor's match with the gold answer",
            f"exact_match, ignore_case={metric['ignore_case']}, "
            f"regexes_to_ignore={metric['regexes_to_ignore']}",
        ),
    ]
    lines = ["| | skintern eval | lm-eval |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c.replace('|', chr(92) + '|')} |" for a, b, c in rows]
    return "\n".join(lines)


def scores_table(methods: dict[str, dict[str, Any]]) -> str:
    """Method x dataset: our accuracy, the aligned one, lm-eval's, and the gap's terms."""
    header = ["method", "dataset", "n", "ours %", "aligned %", "lm-eval %", "gap", *_TERM_WHY]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    for method, datasets in methods.items():
        for dataset, s in datasets.items():
            acc, terms = s["accuracy"], s["terms"]
            gap = acc["lm_eval"] - acc["ours"]
            cells = [method, dataset, str(s["n"]), _num(acc["ours"]), _num(acc["aligned"])]
            cells += [_num(acc["lm_eval"]), _num(gap, True)]
            cells += [_num(terms[t], True) for t in ("generation", "regex", "stop")]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def explanations(methods: dict[str, dict[str, Any]]) -> list[str]:
    """One bullet per method and dataset: each non-zero term, with counts and example ids."""
    bullets = []
    for method, datasets in methods.items():
        for dataset, s in datasets.items():
            parts = [
                f"{term} {_num(s['terms'][term], True)}: {_TERM_WHY[term]} "
                f"({s['flips'][term]['lost']} right -> wrong, "
                f"{s['flips'][term]['gained']} wrong -> right; e.g. "
                + ", ".join(f"`{i}`" for i in s["flips"][term]["examples"])
                + ")"
                for term in ("generation", "regex", "stop")
                if s["flips"][term]["lost"] or s["flips"][term]["gained"]
            ]
            checks = (
                f"prompts identical on {s['n'] - s['prompt_mismatches']}/{s['n']}, "
                f"generations identical on {s['n'] - s['output_mismatches']}/{s['n']}"
            )
            why = "; ".join(parts) if parts else "no difference"
            bullets.append(f"- **{method} / {dataset}** ({checks}): {why}.")
    return bullets


def render(summary: dict[str, Any], heading: str = "#") -> str:
    """The whole comparison: settings, scores, and where each gap comes from."""
    settings = summary["settings"]
    return (
        "\n\n".join(
            [
                f"{heading} Second opinion: lm-evaluation-harness {settings['lm_eval_version']}",
                f"Run `{summary['run_dir']}`; student loaded for lm-eval as "
                f"{settings['load']} (batch size {settings['batch_size']}). "
                "Ours: `skintern eval`'s accuracy. Aligned: skintern's stops and extractor applied "
                "to lm-eval's raw generations (the same prompt). lm-eval: lm-eval's own stops, "
                "regex and exact_match. The gap (lm-eval - ours) is the sum of its three terms.",
                scores_table(summary["methods"]),
                f"{heading}# Where the differences come from",
                "\n".join(explanations(summary["methods"])),
                f"{heading}# Settings of the two sides",
                settings_table(settings),
            ]
        )
        + "\n"
    )


def sections(run_paths: list[str]) -> list[str]:
    """The comparison of each run that has one (`skintern eval harness` ran), for report.md."""
    found = []
    for path in run_paths:
        file = Path(path) / SUMMARY
        if file.is_file():
            found.append(render(json.loads(file.read_text(encoding="utf-8")), heading="##"))
    return found

"""What the BBH experiment (issue 15) found, in the one line `skintern demo` prints under its table.

The demo's synthetic tasks are small; the line says what the larger, seeded BBH comparison found, so
a reader does not take the demo's 60 questions for the verdict. `benchmarks/bbh_seeds.py report`
writes `bbh_seeds.json` beside this module from the committed results (no number typed in), and the
wheel ships it.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

FINDING = "bbh_seeds.json"
NAMES = {
    "skintern": "SKIntern (paper)",
    "std-cot": "Std-CoT",
    "std-cot-14-epochs": "Std-CoT trained as long (14 epochs)",
}


def verdict_word(diff: float, p: float) -> str:
    """beats / loses to / ties with, at alpha 0.05."""
    if p >= 0.05:
        return "ties with"
    return "beats" if diff > 0 else "loses to"


def finding(summary: dict[str, Any]) -> dict[str, Any]:
    """The part of bbh-seeds' summary.json the line needs: comparisons against Std-CoT and its
    equal-epoch controls (a variant that trains longer meets Std-CoT trained as long). The line
    speaks of SKIntern and our variants only; KARD is in the README's table."""
    against = [
        c
        for c in summary["comparisons"]
        if c["a"].startswith("skintern") and c["b"].startswith("std-cot")
    ]
    names = sorted({"std-cot"} | {c[side] for c in against for side in ("a", "b")})
    arms = {
        name: {"seeds": len(arm["seeds"]), "bbh": arm["bbh_mean"]}
        for name in names
        if (arm := summary["arms"].get(name))
    }
    keep = ("a", "b", "diff", "p")
    return {
        "arms": arms,
        "best_variant": summary["best_variant"],
        "comparisons": [{k: c[k] for k in keep} for c in against],
    }


def bbh_line(found: dict[str, Any]) -> str:
    """One line: each arm against Std-CoT (or its equal-epoch control) on BBH, with seeds and
    paired p."""
    arms, best = found["arms"], found.get("best_variant")
    if not found["comparisons"]:
        return "BBH experiment (benchmarks/results/bbh-seeds): no comparison has run yet."
    parts, named = [], set()
    for c in found["comparisons"]:
        a, b = arms[c["a"]], arms[c["b"]]
        # the best variant is introduced as such once, then called by its name
        first = c["a"] == best and best not in named
        label = f"our best variant, {best}," if first else NAMES.get(c["a"], c["a"])
        named.add(c["a"])
        parts.append(
            f"{label} {a['bbh']:.1f} % {verdict_word(c['diff'], c['p'])} "
            f"{NAMES.get(c['b'], c['b'])} {b['bbh']:.1f} % ({c['diff']:+.1f} points, "
            f"paired p = {c['p']:.2g}, seeds {a['seeds']} vs {b['seeds']})"
        )
    return f"On BBH at 135M (benchmarks/results/bbh-seeds): {'; '.join(parts)}."


def shipped_finding() -> dict[str, Any] | None:
    """The finding the installed package carries, or None when it ships none."""
    path = files("skintern.report") / FINDING
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

"""Configs written before the run contract (issue 13) keep working: their keys are moved.

The student and the schedule were said in several sections (`train.model`, `curriculum.student`,
`eval.model`; `curriculum.epochs` and `train.epochs`; `curriculum.steps` and
`train.skintern_steps`); they are said once now, as `student` and `schedule`. An old key is moved
to its new place when every value given for that place agrees, and refused, naming each key and
value, when they do not. `train`'s own old keys (`kard_*`, `cascod_alpha`, `loss_weights`) are
moved by `TrainConfig` itself (`skintern.train.config.move_method_keys`).
"""

from __future__ import annotations

import json
from typing import Any

# (section, old key) -> the run-wide key it is now. Every field the run config copies into a
# section (`skintern.markers.run_wide`) is here too, so a value typed there is checked as well.
MOVED: dict[tuple[str, str], str] = {
    ("train", "model"): "student",
    ("curriculum", "student"): "student",
    ("eval", "model"): "student",
    ("train", "epochs"): "schedule.epochs",
    ("curriculum", "epochs"): "schedule.epochs",
    ("curriculum", "steps"): "schedule.steps",
    ("train", "skintern_steps"): "schedule.steps",
    ("curriculum", "schedule"): "schedule.decay",
    ("curriculum", "exp_lambda"): "schedule.exp_lambda",
    ("curriculum", "values"): "schedule.values",
}
# Old keys whose null meant "the run's value": a null is dropped, not moved.
NULL_MEANS_DEFAULT = {("eval", "model"), ("train", "skintern_steps")}


def _get(data: dict[str, Any], key: str) -> tuple[bool, Any]:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = data
    for part in parents:
        child = node.get(part, {})
        if not isinstance(child, dict):
            return  # not a section: the model reports it
        node[part] = child = dict(child)  # copied: the caller's data stays as it was
        node = child
    node[last] = value


def _same(values: list[Any]) -> bool:
    return len({json.dumps(v, sort_keys=True, default=str) for v in values}) == 1


def _taken(data: dict[str, Any], problems: list[str]) -> dict[str, list[tuple[str, Any]]]:
    """Pop every old key out of its section: new key -> [(old key, value), ...]."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for (section, old), new in MOVED.items():
        part = data.get(section)
        if not isinstance(part, dict) or old not in part:
            continue
        data[section] = part = dict(part)
        value = part.pop(old)
        if value is None and (section, old) in NULL_MEANS_DEFAULT:
            continue
        if (section, old) == ("curriculum", "schedule") and isinstance(value, dict):
            problems.append(
                "curriculum.schedule: the schedule is a top-level section now: move it to "
                "`schedule:` (steps, epochs, decay, exp_lambda, values)"
            )
            continue
        found.setdefault(new, []).append((f"{section}.{old}", value))
    return found


def upgrade(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`data` with every old key moved to its run-wide place, and the disagreements found (one
    line each, `new.key: old.key = a, other.key = b disagree; ...`)."""
    data = dict(data)
    problems: list[str] = []
    for new, olds in _taken(data, problems).items():
        given, value = _get(data, new)
        said = ([(new, value)] if given else []) + olds
        if not _same([v for _, v in said]):
            listed = ", ".join(f"{key} = {v!r}" for key, v in said)
            problems.append(
                f"{new}: {listed} disagree; it is one setting now: set it once, as `{new}` "
                "(every stage reads it)"
            )
        elif not given:
            _set(data, new, olds[0][1])
    return data, problems

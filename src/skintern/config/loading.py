"""YAML + `key.path=value` overrides -> a validated pydantic model, with every problem at once.

Precedence is defaults < YAML < overrides, in `load_config` alone. YAML is data only (safe_load).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from skintern.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def parse_override(text: str) -> tuple[list[str], Any]:
    """`train.lr=3e-4` -> (["train", "lr"], 0.0003); the value is read as YAML."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r} is not key.path=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    for text in overrides:
        path, value = parse_override(text)
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"override {text!r}: {part!r} is not a section")
            node = child
        node[path[-1]] = value
    return data


def read_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("config file not found", where=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("config file is not UTF-8 text", where=str(path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"not valid YAML: {getattr(err, 'problem', err)}", where=where) from None
    if data is None:
        raise ConfigError(
            "config file is empty (or holds only comments)",
            where=str(path),
            hint="give at least the sections you mean to set, e.g. `name: my-run`; "
            "configs/REFERENCE.md lists every key",
        )
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of sections at the top level", where=str(path))
    return data


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `file.yaml: train.lr: expected a float, got 'fast'`."""
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] == "extra_forbidden":
            lines.append(f"{source}: {key}: unknown key")
            continue
        got = problem.get("input")
        got_text = "" if problem["type"] in ("missing", "value_error") else f", got {got!r}"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {key}: {message[:1].lower()}{message[1:]}{got_text}")
    return "\n".join(lines)


def load_config(model: type[M], path: str | Path | None = None, overrides: list[str] = ()) -> M:
    """Validate defaults < YAML at `path` < `overrides` against `model`, reporting every problem
    at once: keys of an older config that disagree (`model.upgrade`), then the model's own."""
    source = str(path) if path else "overrides"
    data = read_yaml(path) if path else {}
    data = apply_overrides(data, list(overrides))
    upgrade = getattr(model, "upgrade", None)
    data, problems = upgrade(data) if upgrade else (data, [])
    lines = [f"{source}: {problem}" for problem in problems]
    try:
        validated = model.model_validate(data)
    except ValidationError as err:
        lines.append(format_validation_error(err, source))
    if lines:
        raise ConfigError("\n".join(lines))
    return validated


def dump_config(config: BaseModel) -> str:
    """The resolved config as YAML: each setting once (a section's copy of a run-wide one is
    left out); fields marked secret are excluded by the models themselves."""
    from skintern.config.run import RunConfig, copied_fields

    exclude = copied_fields() if isinstance(config, RunConfig) else None
    data = config.model_dump(mode="json", exclude=exclude)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

"""`configs/REFERENCE.md`, generated from the config models so it cannot drift from them.

Regenerate with `python -m skintern.config.reference > configs/REFERENCE.md`; a test fails when
the committed file is stale.
"""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from skintern.config.run import RunConfig

HEADER = """# Configuration reference

Generated from the config models by `python -m skintern.config.reference`: do not edit by hand.
Every key can be set in the YAML file or as a `key.path=value` override on the command line
(defaults < YAML < overrides). Unknown keys are errors.
"""


def _section_model(annotation: Any) -> tuple[type[BaseModel], str] | None:
    """The model a field holds and the key suffix: a section, an optional one, or a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, "[]" if get_origin(annotation) is list else ""
    return None


def _type_name(annotation: Any) -> str:
    if get_origin(annotation) is None:
        return getattr(annotation, "__name__", str(annotation))
    text = str(annotation).replace("typing.", "")
    return text.replace("skintern.", "").replace("NoneType", "None")


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        try:
            value = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(computed)"
        if isinstance(value, BaseModel):
            return "(section)"
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    return json.dumps(value, default=str)


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, list[str]]]:
    """(section path, its docstring, table rows) for `model` and, depth first, its sections."""
    rows, subsections = [], []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        section = _section_model(field.annotation)
        if section is not None:
            subsections.append((key + section[1], section[0]))
            if get_origin(field.annotation) is None:
                continue
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        kind = _type_name(field.annotation).replace("|", "\\|")
        rows.append(f"| `{key}` | `{kind}` | `{_default(field)}` | {description} |")
    doc = (model.__doc__ or "").strip().split("\n\n")[0]
    found = [(prefix.rstrip(".") or "(top level)", doc, rows)] if rows else []
    for key, sub in subsections:
        found += _rows(sub, f"{key}.")
    return found


def render(model: type[BaseModel] = RunConfig) -> str:
    parts = [HEADER]
    for section, doc, rows in _rows(model, ""):
        parts.append(f"\n## `{section}`\n\n{doc}\n")
        parts.append("| key | type | default | description |\n|---|---|---|---|")
        parts.extend(rows)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")

"""`configs/REFERENCE.md`, generated from the config models so it cannot drift from them.

Regenerate with `python -m skintern.config.reference > configs/REFERENCE.md`; a test fails when
the committed file is stale.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from skintern.config.legacy import MOVED
from skintern.config.run import RunConfig
from skintern.train.config import MOVED_TO_METHODS

HEADER = """# Configuration reference

Generated from the config models by `python -m skintern.config.reference`: do not edit by hand.
Every key can be set in the YAML file or as a `key.path=value` override on the command line
(defaults < YAML < overrides). Unknown keys are errors.

Each setting is said once: the student (`student`) and the schedule (`schedule`) are top-level
and every stage reads them; each method's own settings are under `train.methods.NAME`. A key
marked *neutral* changes no result (a stage run under another value is current); one marked
*resumable* changes what is written but not the weights (a checkpoint made under another value
still resumes).
"""


def _section_model(annotation: Any) -> tuple[type[BaseModel], str] | None:
    """The model a field holds and the key suffix: a section, an optional one, or a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, "[]" if get_origin(annotation) is list else ""
    return None


def _plain(annotation: Any) -> Any:
    """The annotation without `Annotated[...]` validators (their repr holds memory addresses)."""
    if get_origin(annotation) is Annotated:
        return _plain(get_args(annotation)[0])
    origin = get_origin(annotation)
    if origin in (list, dict, tuple):
        return origin[tuple(_plain(arg) for arg in get_args(annotation))]
    return annotation


def _type_name(annotation: Any) -> str:
    annotation = _plain(annotation)
    if get_origin(annotation) is None:
        return getattr(annotation, "__name__", str(annotation))
    text = str(annotation).replace("typing.", "")
    return text.replace("skintern.", "").replace("NoneType", "None")


def _marks(field: FieldInfo) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return {"result": " *neutral*", "resume": " *resumable*"}.get(str(extra.get("neutral")), "")


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
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("run_wide"):
            continue  # a stage's copy of `student` / `schedule`: documented there, set there
        key = f"{prefix}{name}"
        section = _section_model(field.annotation)
        if section is not None:
            subsections.append((key + section[1], section[0]))
            if get_origin(field.annotation) is None:
                continue
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        kind = _type_name(field.annotation).replace("|", "\\|")
        default = _default(field)
        rows.append(f"| `{key}` | `{kind}` | `{default}` | {description}{_marks(field)} |")
    doc = (model.__doc__ or "").strip().split("\n\n")[0]
    empty = [key for key, sub in subsections if not sub.model_fields]
    if empty:  # e.g. the methods without settings of their own
        names = ", ".join(f"`{key.removeprefix(prefix)}`" for key in empty)
        doc += f" Without settings of their own: {names}."
    found = [(prefix.rstrip(".") or "(top level)", doc, rows)] if rows or empty else []
    for key, sub in subsections:
        found += _rows(sub, f"{key}.")
    return found


def _moved() -> list[str]:
    """The table of keys of configs written before the run contract, and where they are now."""
    lines = [
        "\n## Keys of older configs\n",
        "Still accepted, and moved to their place; when two of them (or one and its new key) give "
        "different values, the config is refused with one line naming both.\n",
        "| old key | now |\n|---|---|",
    ]
    lines += [f"| `{section}.{old}` | `{new}` |" for (section, old), new in MOVED.items()]
    lines += [
        f"| `train.{old}` | `train.methods.{method}.{key}` |"
        for old, (method, key) in MOVED_TO_METHODS.items()
    ]
    lines.append("| `train.loss_weights` | refused unless empty: `train.methods.cascod.alpha` |")
    return lines


def render(model: type[BaseModel] = RunConfig) -> str:
    parts = [HEADER]
    for section, doc, rows in _rows(model, ""):
        parts.append(f"\n## `{section}`\n\n{doc}\n")
        if rows:
            parts.append("| key | type | default | description |\n|---|---|---|---|")
            parts.extend(rows)
    parts += _moved()
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")

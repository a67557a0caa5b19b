"""What a model name may be, checked in an instant: for config validation.

An alias must be a known one (with "did you mean"); a folder or a hub id (`org/name`) is taken as
it is here, and found or fetched when a stage resolves it (`skintern.models.resolve`), which the
pre-run checks of `skintern run` and the stage commands do before reading the run directory.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_STUDENT = "smollm2-135m"


def check_model_name(name: str) -> str:
    """`name` if it can name a model, else a `ValueError` (pydantic reports it with its key)."""
    from skintern.models.aliases import aliases
    from skintern.registry import did_you_mean

    if not name.strip():
        raise ValueError("empty model name; give an alias, a folder or a hub id (org/name)")
    path_like = "/" in name or "\\" in name or name.startswith((".", "~"))
    if path_like or name in aliases or Path(name).exists():
        return name
    hint = did_you_mean(name, aliases.names())
    raise ValueError(
        f"unknown model alias {name!r}; known: {', '.join(aliases.names())} (a hub model is "
        f"named org/name, a local folder by its path{'; ' + hint if hint else ''})"
    )

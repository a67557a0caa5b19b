"""Where shared data and caches live, resolved from the environment (never hard-coded in stages)."""

from __future__ import annotations

import os
from pathlib import Path

from skintern.errors import DataError

_CHECKOUT = Path(__file__).resolve().parents[2]


def data_root(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The benchmark data root: `data_dir`, else `$SKINTERN_DATA_DIR`, else `../shared/data`."""
    if data_dir is not None:
        root = Path(data_dir)
    elif os.environ.get("SKINTERN_DATA_DIR"):
        root = Path(os.environ["SKINTERN_DATA_DIR"])
    else:
        root = _CHECKOUT.parent / "shared" / "data"
        if not root.is_dir():
            raise DataError(
                "no data folder given and none found beside the checkout",
                where=str(root),
                hint="pass data_dir=..., or set SKINTERN_DATA_DIR to a folder laid out like "
                "shared/data (bbh/tasks/NAME.json, agieval/NAME.jsonl, ...)",
            )
    if not root.is_dir():
        raise DataError("data folder does not exist", where=str(root))
    return root


def cache_dir() -> Path:
    """skintern's own cache (converted models, extracted BIG-bench tasks): `$SKINTERN_CACHE_DIR`."""
    root = os.environ.get("SKINTERN_CACHE_DIR") or Path.home() / ".cache" / "skintern"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path

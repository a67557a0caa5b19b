"""Where shared data, caches and the shipped configs live (never hard-coded in stages).

The shipped configs (`configs/` of the repository: the demo, bbh-small, paper/*, accelerate/*)
are package data: `src/skintern/configs` is a link to `configs/`, so a checkout, an editable
install and a wheel (which holds a copy) all find them at `skintern/configs/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from skintern.errors import DataError

_CHECKOUT = Path(__file__).resolve().parents[2]
CONFIGS = Path(__file__).parent / "configs"


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


def shipped_configs() -> list[str]:
    """Names of the shipped configs relative to `CONFIGS`, e.g. `paper/llama2-7b.yaml`."""
    return sorted(p.relative_to(CONFIGS).as_posix() for p in CONFIGS.rglob("*.yaml"))


def shipped_config(name: str | os.PathLike[str]) -> Path | None:
    """The shipped config `name` (`demo`, `demo.yaml`, `configs/paper/llama2-7b.yaml`), or None.

    A leading `configs/` is dropped, so the README's `configs/...` paths also work from outside
    a checkout; `.yaml` may be left off.
    """
    text = Path(name).as_posix().removeprefix("./").removeprefix("configs/")
    for candidate in (text, f"{text}.yaml"):
        path = CONFIGS / candidate
        if candidate in shipped_configs() and path.is_file():
            return path
    return None

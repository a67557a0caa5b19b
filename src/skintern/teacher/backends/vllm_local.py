"""Backend `vllm`: vLLM in-process, for GPU users (`pip install 'skintern[vllm]'`).

vLLM is imported only when this backend is chosen; without it the run stops with a message that
names the extra. Generation is the evaluator's vLLM path (`skintern.models.vllm`): the same prompt
formatting and stops as the `transformers` backend. Each request carries its own seed, so the l
samples of a question differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from skintern.errors import TeacherError
from skintern.teacher.backends.base import OnResult, Request, backends, completion_of, local_groups
from skintern.teacher.config import TeacherConfig


def import_vllm() -> Any:
    """The `vllm` module, or a `TeacherError` naming the extra to install."""
    from skintern.models.vllm import import_vllm as load

    return load(
        "teacher.backend",
        "use backend openai-http against a `vllm serve` server",
        error=TeacherError,
    )


@backends.register("vllm")
class VllmBackend:
    """Generates with `vllm.LLM` (see the module docstring)."""

    name: ClassVar[str] = "vllm"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg
        self._llm: Any = None

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return f"vllm:{cfg.model}"

    def check(self) -> None:
        vllm = import_vllm()
        if self._llm is None:
            self._llm = vllm.LLM(
                model=self.cfg.model,
                dtype=self.cfg.local.dtype,
                trust_remote_code=self.cfg.local.trust_remote_code,
            )

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        from skintern.models.vllm import generate_vllm

        self.check()
        size = self.cfg.local.batch_size * 32  # vLLM schedules its own batches; chunk to commit
        for group, decoding, seeds in local_groups(requests, self.cfg.local.batch_size):
            for start in range(0, len(group), size):
                chunk = group[start : start + size]
                prompts = [r.prompt for r in chunk]
                gens = generate_vllm(
                    self._llm, prompts, decoding, seeds=seeds[start : start + size]
                )
                for request, gen in zip(chunk, gens, strict=True):
                    on_result(completion_of(request, gen))

    def close(self) -> None:
        self._llm = None

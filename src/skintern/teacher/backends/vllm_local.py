"""Backend `vllm`: vLLM in-process, for GPU users (`pip install 'skintern[vllm]'`).

vLLM is imported only when this backend is chosen; without it the run stops with a message that
names the extra. Each request carries its own seed, so the l samples of a question differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from skintern.errors import TeacherError
from skintern.teacher.backends.base import Completion, OnResult, Request, backends
from skintern.teacher.config import TeacherConfig


def import_vllm() -> Any:
    """The `vllm` module, or a `TeacherError` naming the extra to install."""
    try:
        import vllm
    except ImportError:
        raise TeacherError(
            "backend 'vllm' needs the vllm package, which is not installed",
            where="teacher.backend",
            hint="pip install 'skintern[vllm]' on a GPU machine, or use backend openai-http "
            "against a `vllm serve` server",
        ) from None
    return vllm


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
            dtype = self.cfg.local.dtype
            self._llm = vllm.LLM(
                model=self.cfg.model,
                dtype=dtype,
                trust_remote_code=self.cfg.local.trust_remote_code,
            )

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        vllm = import_vllm()
        self.check()
        size = self.cfg.local.batch_size * 32  # vLLM schedules its own batches; chunk to commit
        for start in range(0, len(requests), size):
            chunk = requests[start : start + size]
            params = [vllm.SamplingParams(**r.sampling.to_dict()) for r in chunk]
            messages = [[{"role": "user", "content": r.prompt}] for r in chunk]
            outputs = self._llm.chat(messages, params, use_tqdm=False)
            for request, output in zip(chunk, outputs, strict=True):
                best = output.outputs[0]
                on_result(
                    Completion(
                        request.key,
                        best.text,
                        len(output.prompt_token_ids or ()),
                        len(best.token_ids),
                        str(best.finish_reason or ""),
                    )
                )

    def close(self) -> None:
        self._llm = None

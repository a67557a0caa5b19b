"""Backend `transformers`: a local Hugging Face causal LM, batched generation in-process.

`teacher.model` is an alias, a hub id or a local folder, loaded by `skintern.models.load_model`
(safetensors weights; `trust_remote_code` only when `teacher.local.trust_remote_code` is on).
Generation is the evaluator's (`skintern.models.generate`: KV cache, continuous batching, stop
strings end a row early): prompts go through `skintern.models.chat.format_prompt`, requests whose
sampling differs only in the seed are decoded together, and each row samples from its own
generator seeded with its request's seed, so an answer does not depend on its batch. With
`teacher.rationales.logprobs` K > 0 each generated token comes with its log-probability and the
model's top-K at that step, as text (the records an OpenAI-compatible server returns).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from skintern.teacher.backends.base import OnResult, Request, backends, completion_of, local_groups
from skintern.teacher.config import TeacherConfig


@backends.register("transformers")
class TransformersBackend:
    """Generates with `skintern.models.generate` (see the module docstring)."""

    name: ClassVar[str] = "transformers"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg
        self._lm: Any = None
        self._texts: dict[int, str] | None = None  # token id -> text, for logprobs

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return f"transformers:{cfg.model}"

    def check(self) -> None:
        self._load()

    def _load(self) -> None:
        if self._lm is not None:
            return
        from skintern.models import load_model, single_device

        local = self.cfg.local
        self._lm = load_model(
            self.cfg.model,
            dtype=local.dtype,
            device=single_device(local.device),
            trust_remote_code=local.trust_remote_code,
        )

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        from skintern.models.chat import format_prompt
        from skintern.models.generate import generate

        self._load()
        model, tokenizer = self._lm.model, self._lm.tokenizer
        for group, decoding, seeds in local_groups(requests, self.cfg.local.batch_size):
            texts = [format_prompt(tokenizer, r.prompt) for r in group]
            for part, gens in generate(model, tokenizer, texts, decoding, seeds=seeds):
                for i, gen in zip(part, gens, strict=True):
                    on_result(completion_of(group[i], gen, self._token_texts(gen)))

    def _token_texts(self, generation: Any) -> dict[int, str] | None:
        """The tokenizer's id -> text map, built once, when a generation holds scored tokens."""
        if generation.scores is not None and self._texts is None:
            from skintern.models.vocab import token_texts

            self._texts = token_texts(self._lm.tokenizer)
        return self._texts

    def close(self) -> None:
        self._lm, self._texts = None, None

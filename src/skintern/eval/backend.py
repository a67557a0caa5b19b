"""Generation backends behind one small interface: transformers (default) and vLLM (optional).

A backend turns plain method prompts into `Generation`s: it applies the chat template
(`skintern.models.chat.format_prompt`, as training does), counts tokens and generates through
the shared generation code of `skintern.models` (`generate` for transformers, `vllm` for vLLM),
the same code the local teacher backends use. vLLM is imported only when chosen; a missing
install is a `ModelError` naming the extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding
from skintern.models.generate import Generation, generate_all


class _Prompts:
    """What both backends do with a plain prompt: render it and count its tokens."""

    tokenizer: Any

    def render(self, prompt: str) -> str:
        return format_prompt(self.tokenizer, prompt)

    def count_tokens(self, prompt: str) -> int:
        """Tokens of the model input for a plain prompt (chat template applied)."""
        return len(self.tokenizer(self.render(prompt), add_special_tokens=False)["input_ids"])


class TransformersBackend(_Prompts):
    """KV-cached, continuously batched decoding (`skintern.models.generate`)."""

    name = "transformers"

    def __init__(self, model: Any, tokenizer: Any, sampling: Decoding):
        self.model = model
        self.tokenizer = tokenizer
        self.sampling = sampling

    def generate(self, prompts: Sequence[str], leads: Sequence[str] = ()) -> list[Generation]:
        """One generation per plain prompt, in order; `leads` as in `models.generate.generate`."""
        texts = [self.render(p) for p in prompts]
        return generate_all(self.model, self.tokenizer, texts, self.sampling, leads)


class VllmBackend(_Prompts):
    """vLLM in-process (GPU): the model folder, plus a LoRA adapter when there is one."""

    name = "vllm"

    def __init__(self, model_dir: Path, adapter: Path | None, sampling: Decoding, dtype: str):
        from skintern.models.vllm import import_vllm

        vllm = import_vllm("eval.backend", "set eval.backend=transformers")
        self.sampling = sampling
        self.llm = vllm.LLM(model=str(model_dir), dtype=dtype, enable_lora=adapter is not None)
        self.tokenizer = self.llm.get_tokenizer()
        self.lora = None
        if adapter is not None:
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest("student", 1, str(adapter))

    def generate(self, prompts: Sequence[str], leads: Sequence[str] = ()) -> list[Generation]:
        from skintern.models.vllm import generate_vllm

        return generate_vllm(self.llm, prompts, self.sampling, leads, lora=self.lora)

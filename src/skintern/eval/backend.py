"""Generation backends behind one small interface: transformers (default) and vLLM (optional).

A backend turns plain method prompts into `Generation`s: it applies the chat template
(`skintern.models.chat.format_prompt`, as training does), counts tokens and generates.
vLLM is imported only when chosen; a missing install is a `ModelError` naming the extra.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skintern.errors import ModelError
from skintern.eval.generate import Generation, Sampling, generate, truncate_at_stop
from skintern.models.chat import format_prompt


class TransformersBackend:
    """Batched `model.generate` with the KV cache (see `skintern.eval.generate`)."""

    name = "transformers"

    def __init__(self, model: Any, tokenizer: Any, sampling: Sampling):
        self.model = model
        self.tokenizer = tokenizer
        self.sampling = sampling

    def render(self, prompt: str) -> str:
        return format_prompt(self.tokenizer, prompt)

    def count_tokens(self, prompt: str) -> int:
        """Tokens of the model input for a plain prompt (chat template applied)."""
        return len(self.tokenizer(self.render(prompt), add_special_tokens=False)["input_ids"])

    def generate(self, prompts: Sequence[str], leads: Sequence[str] = ()) -> list[Generation]:
        """One generation per plain prompt, in order; `leads` as in `generate.generate`."""
        texts = [self.render(p) for p in prompts]
        out: list[Generation | None] = [None] * len(texts)
        for batch, gens in generate(self.model, self.tokenizer, texts, self.sampling, leads):
            for i, gen in zip(batch, gens, strict=True):
                out[i] = gen
        return [gen for gen in out if gen is not None]


class VllmBackend:
    """vLLM in-process (GPU): the model folder, plus a LoRA adapter when there is one."""

    name = "vllm"

    def __init__(self, model_dir: Path, adapter: Path | None, sampling: Sampling, dtype: str):
        try:
            from vllm import LLM, SamplingParams
        except ImportError:
            raise ModelError(
                "eval.backend is vllm, but vllm is not installed",
                where="eval.backend",
                hint="pip install 'skintern[vllm]' (needs a CUDA GPU), or set "
                "eval.backend=transformers",
            ) from None
        self.sampling = sampling
        self.llm = LLM(model=str(model_dir), dtype=dtype, enable_lora=adapter is not None)
        self.tokenizer = self.llm.get_tokenizer()
        self.lora = None
        if adapter is not None:
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest("student", 1, str(adapter))
        self.params = SamplingParams(
            max_tokens=sampling.max_new_tokens,
            temperature=sampling.temperature if sampling.do_sample else 0.0,
            top_p=sampling.top_p if sampling.do_sample else 1.0,
            top_k=sampling.top_k if sampling.do_sample and sampling.top_k else -1,
            stop=list(sampling.stop),
            seed=sampling.seed,
        )

    def render(self, prompt: str) -> str:
        return format_prompt(self.tokenizer, prompt)

    def count_tokens(self, prompt: str) -> int:
        return len(self.tokenizer(self.render(prompt), add_special_tokens=False)["input_ids"])

    def generate(self, prompts: Sequence[str], leads: Sequence[str] = ()) -> list[Generation]:
        # vLLM has no per-token stopping hook here: the final-answer stop is applied afterwards.
        started = time.perf_counter()
        inputs = [{"prompt_token_ids": self._ids(p)} for p in prompts]
        outs = self.llm.generate(inputs, self.params, lora_request=self.lora, use_tqdm=False)
        latency = (time.perf_counter() - started) / max(len(prompts), 1)
        leads = list(leads) or [""] * len(prompts)
        result = []
        for out, lead in zip(outs, leads, strict=True):
            done = out.outputs[0]
            text, why = truncate_at_stop(
                lead + done.text, self.sampling.stop, self.sampling.stop_at_answer
            )
            finish = why or ("length" if done.finish_reason == "length" else "eos")
            result.append(
                Generation(
                    text[len(lead) :].strip(),
                    len(out.prompt_token_ids),
                    len(done.token_ids),
                    latency,
                    finish,
                )
            )
        return result

    def _ids(self, prompt: str) -> list[int]:
        return self.tokenizer(self.render(prompt), add_special_tokens=False)["input_ids"]

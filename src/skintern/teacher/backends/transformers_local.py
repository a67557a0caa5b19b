"""Backend `transformers`: a local Hugging Face causal LM, batched generation in-process.

`teacher.model` is a hub id or a local folder (safetensors weights; `trust_remote_code` only when
`teacher.local.trust_remote_code` is on). Requests are grouped by sampling parameters so that each
`generate()` call shares one seed (`torch.manual_seed`); prompts go through the tokenizer's chat
template when it has one. Stop strings cut the text after generation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from skintern.errors import ModelError
from skintern.teacher.backends.base import Completion, OnResult, Request, Sampling, backends
from skintern.teacher.config import TeacherConfig


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """`text` up to the first stop string (the stop string itself dropped)."""
    cuts = [text.find(s) for s in stop if s and s in text]
    return text[: min(cuts)] if cuts else text


def batches(requests: Sequence[Request], size: int) -> list[list[Request]]:
    """Requests grouped by identical sampling parameters, then chunked to `size`."""
    groups: dict[Sampling, list[Request]] = defaultdict(list)
    for request in requests:
        groups[request.sampling].append(request)
    return [group[i : i + size] for group in groups.values() for i in range(0, len(group), size)]


@backends.register("transformers")
class TransformersBackend:
    """Generates with `AutoModelForCausalLM` (see the module docstring)."""

    name: ClassVar[str] = "transformers"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg
        self._model: Any = None
        self._tokenizer: Any = None

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return f"transformers:{cfg.model}"

    def check(self) -> None:
        self._load()

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        local = self.cfg.local
        dtype = "auto" if local.dtype == "auto" else getattr(torch, local.dtype)
        device = local.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(
                self.cfg.model, trust_remote_code=local.trust_remote_code
            )
            self._model = AutoModelForCausalLM.from_pretrained(
                self.cfg.model,
                dtype=dtype,
                trust_remote_code=local.trust_remote_code,
                use_safetensors=True,
            ).to(device)
        except (OSError, ValueError) as err:
            raise ModelError(
                f"cannot load the teacher model: {err}",
                where=f"teacher.model={self.cfg.model}",
                hint="give a local folder with safetensors weights, or a hub id when online",
            ) from None
        self._model.eval()
        self._tokenizer.padding_side = "left"  # decoder-only: pad on the left for batching
        if self._tokenizer.pad_token is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token

    def _render(self, prompt: str) -> str:
        if getattr(self._tokenizer, "chat_template", None):
            messages = [{"role": "user", "content": prompt}]
            return self._tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        return prompt

    def _generate_batch(self, batch: list[Request]) -> list[Completion]:
        import torch

        sampling = batch[0].sampling
        texts = [self._render(request.prompt) for request in batch]
        inputs = self._tokenizer(texts, return_tensors="pt", padding=True).to(self._model.device)
        torch.manual_seed(sampling.seed)
        sample = sampling.temperature > 0
        with torch.no_grad():
            output = self._model.generate(
                **inputs,
                max_new_tokens=sampling.max_tokens,
                do_sample=sample,
                temperature=sampling.temperature if sample else None,
                top_p=sampling.top_p if sample else None,
                pad_token_id=self._tokenizer.pad_token_id,
            )
        new = output[:, inputs["input_ids"].shape[1] :]
        results = []
        for request, row, mask in zip(batch, new, inputs["attention_mask"], strict=True):
            ended = (row == self._tokenizer.eos_token_id).nonzero()
            n_new = int(ended[0, 0]) + 1 if len(ended) else len(row)
            text = self._tokenizer.decode(row[:n_new], skip_special_tokens=True)
            finish = "stop" if len(ended) else "length"
            results.append(
                Completion(
                    request.key,
                    cut_at_stop(text, sampling.stop),
                    int(mask.sum()),
                    n_new,
                    finish,
                )
            )
        return results

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        self._load()
        for batch in batches(requests, self.cfg.local.batch_size):
            for completion in self._generate_batch(batch):
                on_result(completion)

    def close(self) -> None:
        self._model = None

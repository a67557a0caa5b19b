"""Batched generation with transformers: KV cache, left padding, length-sorted batches, stops.

Reads nothing from disk: takes a loaded model and tokenizer and prompt texts (already through the
chat template, `skintern.models.chat.format_prompt`) and yields one `Generation` per prompt.
The eval stage (`skintern.eval.stage`) drives it; `skintern eval --config CONFIG` runs that.

Why these choices:
- left padding with the attention mask, so every row's next token follows its own last prompt
  token; transformers derives position ids from the mask, so batched greedy output equals
  one-by-one output (tested);
- batches sorted by prompt length, so padding (wasted prefill) stays small;
- stop once "Therefore, the answer is X." is complete: everything after it is waste (issue 6).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import StoppingCriteria, StoppingCriteriaList

from skintern.eval.sampling import Sampling

FINAL_PHRASE = "Therefore, the answer is"
# The answer sentence is complete at a full stop followed by whitespace ("1.5." must not stop at
# "1."), or at the end of its line. Generation therefore runs one token past the full stop.
_ANSWER_DONE = re.compile(re.escape(FINAL_PHRASE) + r"[^\n]*?(?:\.(?=\s)|(?=\n))")
_TAIL_TOKENS = 48  # enough tokens to hold the final sentence and any user stop string


@dataclass(frozen=True)
class Generation:
    """One prompt's output and what it cost."""

    text: str
    prompt_tokens: int
    generated_tokens: int  # tokens the model produced, the stop token included, padding not
    latency_s: float  # the batch's wall time shared equally by its rows
    finish: str  # "answer" (final sentence done), "stop" (a stop string), "eos", "length"


def truncate_at_stop(
    text: str, stop: Sequence[str], stop_at_answer: bool
) -> tuple[str, str | None]:
    """`text` cut where generation should have ended, and why ("answer", "stop" or None)."""
    cuts: list[tuple[int, str]] = []
    if stop_at_answer and (match := _ANSWER_DONE.search(text)):
        cuts.append((match.end(), "answer"))
    for string in stop:
        if string and (at := text.find(string)) >= 0:
            cuts.append((at, "stop"))
    if not cuts:
        return text, None
    end, why = min(cuts)
    return text[:end], why


class _StopCriteria(StoppingCriteria):
    """Marks a row done once its generated tail holds the final answer or a stop string."""

    def __init__(self, tokenizer: Any, prompt_len: int, sampling: Sampling, leads: list[str]):
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len
        self.sampling = sampling
        self.leads = leads

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        start = max(self.prompt_len, input_ids.shape[1] - _TAIL_TOKENS)
        tails = self.tokenizer.batch_decode(input_ids[:, start:], skip_special_tokens=True)
        stop, at_answer = self.sampling.stop, self.sampling.stop_at_answer
        done = [
            truncate_at_stop(lead + tail, stop, at_answer)[1] is not None
            for lead, tail in zip(self.leads, tails, strict=True)
        ]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices in batches of similar length, longest first (memory trouble shows early)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def prepare_tokenizer(tokenizer: Any) -> Any:
    """Left padding, and a pad token (the EOS one) where the tokenizer has none."""
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    sampling: Sampling,
    leads: Sequence[str] = (),
) -> Iterator[tuple[list[int], list[Generation]]]:
    """Yield `(indices, generations)` per batch, in length-sorted order, as each batch finishes.

    `prompts` are complete model inputs (chat template applied); they are tokenized without
    adding special tokens, since the template already holds them. `leads[i]` is text the
    prompt ends with that counts as already generated when looking for the final answer
    (a zero-shot prompt ending "Therefore, the answer is").
    """
    prepare_tokenizer(tokenizer)
    leads = list(leads) or [""] * len(prompts)
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
    for batch in length_sorted_batches([len(x) for x in ids], sampling.batch_size):
        rows = [ids[i] for i in batch]
        yield batch, _generate_batch(model, tokenizer, rows, sampling, [leads[i] for i in batch])


def _generate_batch(
    model: Any, tokenizer: Any, ids: list[list[int]], sampling: Sampling, leads: list[str]
) -> list[Generation]:
    padded = tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt")
    input_ids = padded["input_ids"].to(model.device)
    mask = padded["attention_mask"].to(model.device)
    width = input_ids.shape[1]
    criteria = StoppingCriteriaList([_StopCriteria(tokenizer, width, sampling, leads)])
    if sampling.do_sample:
        torch.manual_seed(sampling.seed)
    started = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(
            input_ids=input_ids,
            attention_mask=mask,
            max_new_tokens=sampling.max_new_tokens,
            stopping_criteria=criteria,
            pad_token_id=tokenizer.pad_token_id,
            use_cache=True,
            **_decoding_kwargs(sampling),
        )
    latency = (time.perf_counter() - started) / len(ids)
    return [
        _finish(tokenizer, row[width:].tolist(), len(prompt), latency, sampling, lead)
        for row, prompt, lead in zip(out, ids, leads, strict=True)
    ]


def _decoding_kwargs(sampling: Sampling) -> dict[str, Any]:
    if not sampling.do_sample:  # unset sampling knobs, or transformers warns they are unused
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {
        "do_sample": True,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "top_k": sampling.top_k,
    }


def _finish(
    tokenizer: Any, new: list[int], n_prompt: int, latency: float, sampling: Sampling, lead: str
) -> Generation:
    """Strip padding and EOS, decode, cut at the stop, and say why generation ended.

    A row the stop criteria ended is padded after its last token; no row ends in padding
    otherwise, so the first EOS or pad token marks the end of what the model produced.
    """
    ends = _eos_ids(tokenizer) | {tokenizer.pad_token_id}
    first = next((i for i, token in enumerate(new) if token in ends), len(new))
    text, why = truncate_at_stop(
        lead + tokenizer.decode(new[:first], skip_special_tokens=True),
        sampling.stop,
        sampling.stop_at_answer,
    )
    text = text[len(lead) :]
    if why is not None:
        n_new, finish = first, why
    elif first < len(new) and new[first] in _eos_ids(tokenizer):
        n_new, finish = first + 1, "eos"
    else:
        n_new, finish = first, "length"
    return Generation(text.strip(), n_prompt, n_new, latency, finish)


def _eos_ids(tokenizer: Any) -> set[int]:
    eos = tokenizer.eos_token_id
    return set(eos) if isinstance(eos, list) else {eos} if eos is not None else set()

"""Generation with transformers, shared by the evaluator and the local teacher backend.

Reads nothing from disk: takes a loaded model and tokenizer and prompt texts (already through the
chat template, `skintern.models.chat.format_prompt`) and yields one `Generation` per prompt.
`skintern.eval.backend` (`skintern eval`) and the teacher's `transformers` backend
(`skintern teach` with `teacher.backend=transformers`) both call `generate`; the vLLM paths
return the same `Generation` (`skintern.models.vllm`).

Why these choices:
- left padding with the attention mask, so every row's next token follows its own last prompt
  token; position ids come from the mask, so batched greedy output equals one-by-one output
  (tested);
- batches sorted by prompt length, so padding (wasted prefill) stays small;
- stop once "Therefore, the answer is X." is complete (when `stop_at_answer`): everything after
  it is waste (issue 6), and a finished row leaves its batch at once, its place taken by the next
  prompt (`skintern.models.decode`), so no row waits on padding for the longest answer;
- sampled rows draw from their own seeded generator, so a row's sample does not depend on the
  rows beside it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from skintern.models.decode import Decoded, Decoder, Done, stop_ids
from skintern.models.decoding import Decoding, TokenScore
from skintern.models.loading import with_pad_token
from skintern.records import FINAL_PHRASE

# The answer sentence is complete at a full stop followed by whitespace ("1.5." must not stop at
# "1."), or at the end of its line. Generation therefore runs one token past the full stop.
_ANSWER_DONE = re.compile(re.escape(FINAL_PHRASE) + r"[^\n]*?(?:\.(?=\s)|(?=\n))")
_TAIL_TOKENS = 48  # enough tokens to hold the final sentence and any user stop string
# Prompts decoded together, in batches: a finished row's place goes to the next prompt, so the
# batch stays full; results are handed back (and saved) a chunk at a time.
CHUNK_BATCHES = 8


@dataclass(frozen=True)
class Generation:
    """One prompt's output and what it cost (from transformers or vLLM alike)."""

    text: str  # stripped, cut at the stop
    prompt_tokens: int
    generated_tokens: int  # tokens the model produced, the stop token included, padding not
    latency_s: float  # wall time of the decoded chunk (CHUNK_BATCHES) shared by its rows
    finish: str  # "answer" (final sentence done), "stop" (a stop string), "eos", "length"
    # with `Decoding.logprobs` K > 0: the generated tokens before any ending token, each with its
    # logprob and top-K; where a stop string cut the text they run on past its end
    scores: tuple[TokenScore, ...] | None = None


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


def answer_done(tokenizer: Any, sampling: Decoding, leads: Sequence[str]) -> Done:
    """Whether a row's generated tail (after its lead) holds the final answer or a stop string."""

    def done(row: int, tokens: list[int]) -> bool:
        tail = tokenizer.decode(tokens[-_TAIL_TOKENS:], skip_special_tokens=True)
        return (
            truncate_at_stop(leads[row] + tail, sampling.stop, sampling.stop_at_answer)[1]
            is not None
        )

    return done


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices in batches of similar length, longest first (memory trouble shows early)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def prepare_tokenizer(tokenizer: Any) -> Any:
    """Left padding, and a pad token (the EOS one) where the tokenizer has none."""
    tokenizer.padding_side = "left"
    return with_pad_token(tokenizer)


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    sampling: Decoding,
    leads: Sequence[str] = (),
    seeds: Sequence[int] | None = None,
) -> Iterator[tuple[list[int], list[Generation]]]:
    """Yield `(indices, generations)` per chunk of `CHUNK_BATCHES` batches, as each finishes.

    Prompts are decoded longest first, `sampling.batch_size` at a time, a finished row's place
    taken by the next prompt (`skintern.models.decode`). `prompts` are complete model inputs (chat
    template applied); they are tokenized without adding special tokens, since the template
    already holds them. `leads[i]` is text the prompt ends with that counts as already generated
    when looking for the final answer (a zero-shot prompt ending "Therefore, the answer is").
    `seeds[i]` seeds prompt i's sampling (default `sampling.seed`); greedy decoding ignores it.
    """
    prepare_tokenizer(tokenizer)
    leads = list(leads) or [""] * len(prompts)
    seeds = list(seeds) if seeds is not None else [sampling.seed] * len(prompts)
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
    order = [
        i for b in length_sorted_batches([len(x) for x in ids], sampling.batch_size) for i in b
    ]
    chunk = sampling.batch_size * CHUNK_BATCHES
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        rows = [(ids[i], leads[i], seeds[i]) for i in part]
        yield part, _generate_chunk(model, tokenizer, rows, sampling)


def generate_all(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    sampling: Decoding,
    leads: Sequence[str] = (),
) -> list[Generation]:
    """`generate`'s generations gathered in prompt order (every row seeded `sampling.seed`)."""
    out: list[Generation | None] = [None] * len(prompts)
    for part, gens in generate(model, tokenizer, prompts, sampling, leads):
        for i, gen in zip(part, gens, strict=True):
            out[i] = gen
    return [gen for gen in out if gen is not None]


def _generate_chunk(
    model: Any, tokenizer: Any, rows: list[tuple[list[int], str, int]], sampling: Decoding
) -> list[Generation]:
    """Decode one chunk: rows of (prompt ids, lead, seed)."""
    ids, leads, seeds = (list(column) for column in zip(*rows, strict=True))
    stops = stop_ids(model, tokenizer)
    done = answer_done(tokenizer, sampling, leads)
    decoder = Decoder(model, tokenizer.pad_token_id, sampling, stops, done, seeds)
    started = time.perf_counter()
    with torch.inference_mode():
        new = decoder.run(ids)
    latency = (time.perf_counter() - started) / len(ids)
    return [
        _finish(tokenizer, decoded, len(prompt), latency, sampling, lead, stops)
        for decoded, prompt, lead in zip(new, ids, leads, strict=True)
    ]


def _finish(  # noqa: PLR0913
    tokenizer: Any,
    decoded: Decoded,
    n_prompt: int,
    latency: float,
    sampling: Decoding,
    lead: str,
    stops: set[int],
) -> Generation:
    """Strip the ending token, decode, cut at the stop, and say why generation ended."""
    new = decoded.tokens
    first = next((i for i, token in enumerate(new) if token in stops), len(new))
    text, why = truncate_at_stop(
        lead + tokenizer.decode(new[:first], skip_special_tokens=True),
        sampling.stop,
        sampling.stop_at_answer,
    )
    text = text[len(lead) :]
    if why is not None:
        n_new, finish = first, why
    elif first < len(new):
        n_new, finish = first + 1, "eos"
    else:
        n_new, finish = first, "length"
    scores = tuple(decoded.scores[:first]) if sampling.logprobs else None
    return Generation(text.strip(), n_prompt, n_new, latency, finish, scores)

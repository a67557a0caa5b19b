"""The decoding loop: KV cache, a batch that is kept full, and rows that leave when done.

On a CPU one decoding step costs about the same for 1 row as for 8 (it is bound by reading the
weights), so what counts is how many rows do useful work each step. `model.generate` keeps a
finished row in its batch until the last row ends, on padding. Here a row leaves the batch and
the KV cache as soon as it ends (EOS, the token cap, or `done`: its final-answer sentence or a
stop string is complete), and the next waiting prompt takes its place: it is prefilled on its
own and its cache joins the running batch, left-padded to a common length (continuous
batching). Greedy output is `model.generate`'s: each row attends to its own tokens only (tested).

Sampling draws each row's tokens from its own generator, seeded per prompt (`seeds`), so a
sampled row depends on its prompt and seed alone, not on which rows shared its batch: the
teacher's sample j of a question is the same whether it ran in a fresh run or after a resume.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from skintern.models.decoding import Decoding, TokenScore

Done = Callable[[int, list[int]], bool]  # (prompt index, tokens so far) -> answer complete?


@dataclass
class Decoded:
    """What the loop produced for one prompt: its new tokens, the ending token included, and
    with `Decoding.logprobs` K > 0 each token's log-probability and top-K (`scores`)."""

    tokens: list[int] = field(default_factory=list)
    scores: list[TokenScore] = field(default_factory=list)


def _warpers(sampling: Decoding) -> Any:
    from transformers import (
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    warpers = LogitsProcessorList()
    if sampling.temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(sampling.temperature))
    if sampling.top_k:
        warpers.append(TopKLogitsWarper(sampling.top_k))
    if sampling.top_p < 1.0:
        warpers.append(TopPLogitsWarper(sampling.top_p))
    return warpers


def stop_ids(model: Any, tokenizer: Any) -> set[int]:
    """Token ids that end a row: the tokenizer's EOS and the generation config's."""
    ids: set[int] = set()
    for eos in (tokenizer.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
        ids |= set(eos) if isinstance(eos, list) else {eos} if eos is not None else set()
    return ids


@dataclass
class _Batch:
    """The rows being decoded: prompt indices, KV cache, attention mask, next positions/tokens."""

    rows: list[int]
    cache: Any
    mask: torch.Tensor
    positions: torch.Tensor  # (rows, 1): the position of the token fed next
    feed: torch.Tensor  # (rows,): the token fed next
    scores: list[TokenScore] | None = None  # `feed`'s logprobs (asked for), until recorded

    def keep(self, index: list[int]) -> None:
        """Keep only rows `index`, and drop the mask columns no kept row attends to."""
        at = torch.tensor(index, device=self.mask.device)
        self.rows = [self.rows[i] for i in index]
        self.mask, self.positions, self.feed = self.mask[at], self.positions[at], self.feed[at]
        first = int(self.mask.any(dim=0).int().argmax())  # leading all-padding columns
        for layer in self.cache.layers:
            layer.keys, layer.values = layer.keys[at, :, first:], layer.values[at, :, first:]
        self.mask = self.mask[:, first:]

    def join(self, other: _Batch) -> None:
        """Append `other`'s rows, left-padding both caches and masks to a common length."""
        width = max(self.mask.shape[1], other.mask.shape[1])
        for mine, theirs in zip(self.cache.layers, other.cache.layers, strict=True):
            mine.keys = torch.cat([_left_pad(mine.keys, width), _left_pad(theirs.keys, width)])
            mine.values = torch.cat(
                [_left_pad(mine.values, width), _left_pad(theirs.values, width)]
            )
        self.mask = torch.cat([_left_pad(self.mask, width), _left_pad(other.mask, width)])
        self.rows += other.rows
        self.positions = torch.cat([self.positions, other.positions])
        self.feed = torch.cat([self.feed, other.feed])


def _left_pad(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """Zeros prepended along the sequence axis (last of a mask, -2 of a K/V tensor)."""
    axis = -1 if tensor.dim() == 2 else -2
    missing = width - tensor.shape[axis]
    if missing == 0:
        return tensor
    return F.pad(tensor, (missing, 0) if axis == -1 else (0, 0, missing, 0))


class Decoder:
    """Greedy or sampled decoding of many prompts, at most `sampling.batch_size` at a time.

    `seeds[i]` seeds prompt i's sampling generator (default: `sampling.seed` for every prompt).
    """

    def __init__(  # noqa: PLR0913
        self,
        model: Any,
        pad_id: int,
        sampling: Decoding,
        stops: set[int],
        done: Done,
        seeds: Sequence[int] | None = None,
    ):
        self.model, self.pad_id, self.sampling = model, pad_id, sampling
        self.stops, self.done, self.seeds = stops, done, seeds
        self.rngs: dict[int, torch.Generator] = {}
        self.warpers = _warpers(sampling) if sampling.do_sample else None
        # Joining caches needs plain full-attention layers; others (sliding windows) keep the
        # batch they started with.
        self.can_join = all(
            type(layer).__name__ == "DynamicLayer" for layer in self._new_cache().layers
        )

    def _new_cache(self) -> Any:
        from transformers import DynamicCache

        return DynamicCache(config=self.model.config)

    def _rng(self, row: int) -> torch.Generator:
        if row not in self.rngs:
            seed = self.sampling.seed if self.seeds is None else self.seeds[row]
            self.rngs[row] = torch.Generator(device=self.model.device).manual_seed(seed)
        return self.rngs[row]

    def _choose(self, logits: torch.Tensor, rows: list[int]) -> torch.Tensor:
        """The next token of each row: the argmax, or a draw from the row's own generator."""
        if self.warpers is None:
            return logits.argmax(dim=-1)
        probs = self.warpers(None, logits.float()).softmax(dim=-1)
        draws = [
            torch.multinomial(p[None], 1, generator=self._rng(row))[0, 0]
            for p, row in zip(probs, rows, strict=True)
        ]
        return torch.stack(draws)

    def _scores(self, logits: torch.Tensor, chosen: torch.Tensor) -> list[TokenScore] | None:
        """Each row's chosen token with its logprob and the top-K, when `sampling.logprobs`."""
        if not self.sampling.logprobs:
            return None
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        top = logprobs.topk(min(self.sampling.logprobs, logprobs.shape[-1]), dim=-1)
        picked = logprobs.gather(-1, chosen[:, None])[:, 0]
        return [
            TokenScore(token, logprob, tuple(zip(ids, lps, strict=True)))
            for token, logprob, ids, lps in zip(
                chosen.tolist(), picked.tolist(), top.indices.tolist(), top.values.tolist(),
                strict=True,
            )
        ]  # fmt: skip

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor, cache: Any):
        return self.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        ).logits[:, -1]

    def _prefill(self, prompts: Sequence[list[int]], rows: list[int]) -> _Batch:
        """The rows' prompts, left-padded together, through the model: a batch ready to step."""
        width = max(len(prompts[r]) for r in rows)
        device = self.model.device
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long, device=device)
        mask = torch.zeros((len(rows), width), dtype=torch.long, device=device)
        for i, r in enumerate(rows):
            ids[i, width - len(prompts[r]) :] = torch.tensor(prompts[r], device=device)
            mask[i, width - len(prompts[r]) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = self._new_cache()
        logits = self._forward(ids, mask, positions, cache)
        feed = self._choose(logits, rows)
        return _Batch(list(rows), cache, mask, positions[:, -1:], feed, self._scores(logits, feed))

    def _record(self, batch: _Batch, out: list[Decoded]) -> list[int]:
        """Append each row's chosen token; the indices of the rows that go on."""
        going = []
        for i, (row, token) in enumerate(zip(batch.rows, batch.feed.tolist(), strict=True)):
            tokens = out[row].tokens
            tokens.append(token)
            if batch.scores is not None:
                out[row].scores.append(batch.scores[i])
            full = len(tokens) >= self.sampling.max_new_tokens
            if not (token in self.stops or full or self.done(row, tokens)):
                going.append(i)
        return going

    def _admit(self, batch: _Batch | None, waiting: deque, prompts, out) -> _Batch | None:
        """Fill free places of `batch` with waiting prompts (all of them when there is none)."""
        size = self.sampling.batch_size
        while waiting and (batch is None or (self.can_join and len(batch.rows) < size)):
            free = size - (len(batch.rows) if batch else 0)
            new = self._prefill(
                prompts, [waiting.popleft() for _ in range(min(free, len(waiting)))]
            )
            going = self._record(new, out)
            if len(going) < len(new.rows):
                if not going:
                    continue
                new.keep(going)
            if batch is None:
                batch = new
            else:
                batch.join(new)
        return batch

    def run(self, prompts: Sequence[list[int]]) -> list[Decoded]:
        """What each prompt decoded to (its ending token included), in prompt order."""
        out = [Decoded() for _ in prompts]
        waiting, batch = deque(range(len(prompts))), None
        while waiting or batch is not None:
            batch = self._admit(batch, waiting, prompts, out)
            if batch is None:
                break
            batch.mask = torch.cat([batch.mask, batch.mask.new_ones((len(batch.rows), 1))], 1)
            batch.positions = batch.positions + 1
            logits = self._forward(batch.feed[:, None], batch.mask, batch.positions, batch.cache)
            batch.feed = self._choose(logits, batch.rows)
            batch.scores = self._scores(logits, batch.feed)
            going = self._record(batch, out)
            if not going:
                batch = None
            elif len(going) < len(batch.rows):
                batch.keep(going)
        return out

"""The decoding loop: KV cache, one token per row per step, and rows that leave when done.

`model.generate` keeps a finished row in the batch until the last row ends, so one long answer
makes every other row of its batch run to the same length on padding. Here a row leaves the
batch (and the KV cache) as soon as it ends: at EOS, at the token cap, or when `done` says its
text is complete (the final-answer sentence or a stop string). Greedy output is the same as
`model.generate`'s; each row's tokens depend only on its own prompt (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from skintern.eval.sampling import Sampling

Done = Callable[[int, list[int]], bool]  # (row, tokens so far) -> is the row's answer complete?


def _warpers(sampling: Sampling) -> Any:
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


def _next_tokens(logits: torch.Tensor, sampling: Sampling, warpers: Any, rng: Any) -> torch.Tensor:
    if not sampling.do_sample:
        return logits.argmax(dim=-1)
    scores = warpers(None, logits.float())
    return torch.multinomial(scores.softmax(dim=-1), 1, generator=rng).squeeze(1)


def stop_ids(model: Any, tokenizer: Any) -> set[int]:
    """Token ids that end a row: the tokenizer's EOS and the generation config's."""
    ids: set[int] = set()
    for eos in (tokenizer.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
        ids |= set(eos) if isinstance(eos, list) else {eos} if eos is not None else set()
    return ids


def decode(  # noqa: PLR0913 (model inputs plus the decoding settings)
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    sampling: Sampling,
    stops: set[int],
    done: Done,
) -> list[list[int]]:
    """The new tokens of each left-padded row, the ending token included."""
    from transformers import DynamicCache

    rows = input_ids.shape[0]
    tokens: list[list[int]] = [[] for _ in range(rows)]
    alive = torch.arange(rows)
    cache = DynamicCache(config=model.config)
    positions = (attention_mask.cumsum(-1) - 1).clamp(min=0)
    mask = attention_mask
    step_ids, step_positions = input_ids, positions
    rng = torch.Generator(device=input_ids.device).manual_seed(sampling.seed)
    warpers = _warpers(sampling) if sampling.do_sample else None
    for _ in range(sampling.max_new_tokens):
        logits = model(
            input_ids=step_ids,
            attention_mask=mask,
            position_ids=step_positions,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        ).logits[:, -1]
        chosen = _next_tokens(logits, sampling, warpers, rng)
        keep = []
        for j, (row, token) in enumerate(zip(alive.tolist(), chosen.tolist(), strict=True)):
            tokens[row].append(token)
            full = len(tokens[row]) >= sampling.max_new_tokens
            if not (token in stops or full or done(row, tokens[row])):
                keep.append(j)
        if not keep:
            break
        if len(keep) < len(alive):  # finished rows leave the batch and the cache
            index = torch.tensor(keep, device=input_ids.device)
            cache.batch_select_indices(index)
            alive, chosen, mask = alive[index.cpu()], chosen[index], mask[index]
            step_positions = step_positions[index]
        mask = torch.cat([mask, mask.new_ones((len(keep), 1))], dim=1)
        step_ids, step_positions = chosen[:, None], step_positions[:, -1:] + 1
    return tokens

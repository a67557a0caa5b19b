"""The data order: seeded global batches, optionally grouped by length, split per process.

An optimizer step consumes one global batch of `batch_size * grad_accum * world` records. The
order depends only on (seed, schedule step, epoch), so every process computes the same global
batches, takes its share (`rank::world`), and knows the step's total completion tokens, which the
loss is normalised by: 8 x 1 and 1 x 8, or 2 processes and 1, see the same loss and gradients.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

MEGA = 50  # length grouping sorts within windows of 50 global batches (as HF's sampler does)


def epoch_order(
    lengths: Sequence[int],
    global_batch: int,
    seed: int,
    group_by_length: bool = True,
    min_size: int = 1,
) -> list[list[int]]:
    """Record indices cut into global batches; batches smaller than `min_size` are dropped."""
    rng = random.Random(seed)
    indices = list(range(len(lengths)))
    rng.shuffle(indices)
    if group_by_length:
        window = global_batch * MEGA
        grouped = []
        for start in range(0, len(indices), window):
            chunk = indices[start : start + window]
            grouped += sorted(chunk, key=lambda i: -lengths[i])
        indices = grouped
    batches = [indices[i : i + global_batch] for i in range(0, len(indices), global_batch)]
    if group_by_length:
        rng.shuffle(batches)  # so long batches do not all come first
    return [b for b in batches if len(b) >= min_size]


def order_seed(seed: int, step: int, epoch: int) -> int:
    """The seed of one epoch's order: distinct per (schedule step, epoch), stable across runs."""
    return seed * 1_000_003 + step * 1_009 + epoch


def local_micro_batches(
    batch: Sequence[int], lengths: Sequence[int], micro: int, rank: int, world: int
) -> list[list[int]]:
    """This process's share of a global batch, as micro-batches of similar length."""
    share = sorted(batch[rank::world], key=lambda i: -lengths[i])
    return [share[i : i + micro] for i in range(0, len(share), micro)]

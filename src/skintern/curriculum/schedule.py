"""Decay schedules S_t for SKIntern's progressive fine-tuning (paper section 3.2, equations 1, 3).

S_t is the fraction of the knowledge tokens kept (equation 1, k_i^t = compress(k_i, S_t)) and
K^t = floor(K * S_t) the number of examples kept (equation 3) at schedule step t = 1..T.

Every shape is a function S(u) of the progress u in [0, 1] with S(0) = 1 and S(1) = 0; step t of T
samples it at u_t = (t - 1) / (T - 1), so the first step sees everything and the last step (S_T = 0)
sees the plain question, as at inference. With lam = the `exp_lambda` setting (default 3):

- linear:              S(u) = 1 - u, so S_t = (T - t) / (T - 1); T = 4 gives 1, 2/3, 1/3, 0.
- exponential:         S(u) = (exp(-lam * u) - exp(-lam)) / (1 - exp(-lam)): convex, falls fast at
                       first (T = 4, lam = 3: 1, 0.335, 0.090, 0).
- inverse-exponential: S(u) = 1 - exponential(1 - u): concave, keeps most of the knowledge until
                       late, then falls fast (T = 4, lam = 3: 1, 0.910, 0.665, 0).
- step:                S(u) = 1 for u < 1, else 0: full knowledge until the last step.
- list:                the explicit values given (`values`, one per step, each in [0, 1]).

A single step (T = 1) is the last step: S_1 = 0.

Epochs. E epochs are spread over the T steps as evenly as possible: every step gets E // T epochs
and the first E mod T steps one more (T = 4, E = 14: 4, 4, 3, 3), so the richest inputs get the
extra passes. E < T is an error (a step with no epoch would be skipped silently).

Per-optimizer-step variant. Instead of one value per block of epochs, S can follow the progress
p = step / (total_steps - 1) of the optimizer within the whole run: `value_at(name, p)`. So that
each knowledge text is compressed a bounded number of times, the value is rounded to a grid of
`levels` + 1 values (`levels_of(levels)` = 1, (L-1)/L, ..., 0), and the curriculum stage renders one
record file per grid value; `level_index` says which file the trainer reads at progress p.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from skintern.errors import ConfigError
from skintern.registry import Registry

Shape = Callable[[float, float], float]
"""S(u, lam) for progress u in [0, 1]."""

schedules: Registry[Shape] = Registry("schedule")


@schedules.register("linear")
def linear(u: float, lam: float = 3.0) -> float:
    """S(u) = 1 - u."""
    return 1.0 - u


@schedules.register("exponential")
def exponential(u: float, lam: float = 3.0) -> float:
    """S(u) = (exp(-lam u) - exp(-lam)) / (1 - exp(-lam))."""
    floor = math.exp(-lam)
    return (math.exp(-lam * u) - floor) / (1.0 - floor)


@schedules.register("inverse-exponential")
def inverse_exponential(u: float, lam: float = 3.0) -> float:
    """S(u) = 1 - exponential(1 - u)."""
    return 1.0 - exponential(1.0 - u, lam)


@schedules.register("step")
def step(u: float, lam: float = 3.0) -> float:
    """S(u) = 1 until the end, then 0."""
    return 1.0 if u < 1.0 else 0.0


def _explicit(u: float, lam: float = 3.0) -> float:  # placeholder so "list" is a registry name
    raise ConfigError("the 'list' schedule takes its values from `values`, not from a formula")


schedules.register("list")(_explicit)


def _check_steps(T: int) -> None:
    if T < 1:
        raise ConfigError(f"schedule.steps: T must be at least 1, got {T}")


def _check_values(values: Sequence[float], T: int) -> list[float]:
    if len(values) != T:
        raise ConfigError(
            f"schedule.values: the 'list' decay needs one value per step (T = {T}), "
            f"got {len(values)}"
        )
    for t, value in enumerate(values, start=1):
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"schedule.values[{t - 1}]: S_{t} must be in [0, 1], got {value}")
    return [float(v) for v in values]


def step_values(
    name: str, T: int, lam: float = 3.0, values: Sequence[float] | None = None
) -> list[float]:
    """S_1..S_T of schedule `name` (equations 1 and 3); `values` for the `list` schedule."""
    _check_steps(T)
    shape = schedules.get(name)
    if name == "list":
        return _check_values(values or [], T)
    if lam <= 0:
        raise ConfigError(f"schedule.exp_lambda: must be > 0, got {lam}")
    if T == 1:
        return [0.0]
    # Clamp away float noise (1 - 2/3 - 1/3 != 0) so S_T is exactly 0 and every S_t in [0, 1].
    return [min(1.0, max(0.0, shape((t - 1) / (T - 1), lam))) for t in range(1, T + 1)]


def examples_at(K: int, S_t: float) -> int:
    """K^t = floor(K * S_t) (equation 3); the epsilon keeps 6 * 2/3 at 4, not 3.9999."""
    return int(math.floor(K * S_t + 1e-9))


def epochs_per_step(E: int, T: int) -> list[int]:
    """E epochs over T steps: E // T each, the first E mod T steps one more."""
    _check_steps(T)
    if E < T:
        raise ConfigError(
            f"schedule.epochs: E = {E} is fewer than the T = {T} steps; each step needs an epoch",
            hint="raise schedule.epochs or lower schedule.steps",
        )
    base, extra = divmod(E, T)
    return [base + (1 if t < extra else 0) for t in range(T)]


def value_at(name: str, progress: float, lam: float = 3.0, values: Sequence[float] = ()) -> float:
    """S at optimizer progress p in [0, 1] (per-optimizer-step variant).

    For the `list` schedule the run is cut into len(values) equal parts, one value each.
    """
    p = min(1.0, max(0.0, progress))
    if name == "list":
        if not values:
            raise ConfigError("schedule.values: the 'list' decay needs values")
        return float(values[min(len(values) - 1, int(p * len(values)))])
    return min(1.0, max(0.0, schedules.get(name)(p, lam)))


def levels_of(levels: int) -> list[float]:
    """The grid of S values the per-optimizer-step variant renders: 1, (L-1)/L, ..., 0."""
    if levels < 1:
        raise ConfigError(f"curriculum.levels: must be at least 1, got {levels}")
    return [(levels - i) / levels for i in range(levels + 1)]


def level_index(
    name: str, progress: float, levels: int, lam: float = 3.0, values: Sequence[float] = ()
) -> int:
    """Which grid file (0-based, in `levels_of` order) holds S(progress), rounded to the grid."""
    return levels - round(value_at(name, progress, lam, values) * levels)

import math

import pytest

from skintern.curriculum import schedule
from skintern.errors import ConfigError


def test_linear_is_the_papers_schedule():
    assert schedule.step_values("linear", 4) == pytest.approx([1, 2 / 3, 1 / 3, 0])
    assert schedule.step_values("linear", 3) == [1.0, 0.5, 0.0]
    assert schedule.step_values("linear", 7)[3] == pytest.approx(0.5)


def test_exponential_formulas():
    lam = 3.0
    floor = math.exp(-lam)
    expected = [(math.exp(-lam * u) - floor) / (1 - floor) for u in (0, 1 / 3, 2 / 3, 1)]
    values = schedule.step_values("exponential", 4, lam)
    assert values == pytest.approx(expected)
    assert values == pytest.approx([1.0, 0.3350, 0.0899, 0.0], abs=1e-3)
    inverse = schedule.step_values("inverse-exponential", 4, lam)
    assert inverse == pytest.approx([1.0, 0.9101, 0.6650, 0.0], abs=1e-3)
    assert inverse == pytest.approx([1 - v for v in reversed(values)])


def test_step_and_list_and_single_step():
    assert schedule.step_values("step", 4) == [1.0, 1.0, 1.0, 0.0]
    assert schedule.step_values("list", 3, values=[1, 0.25, 0]) == [1.0, 0.25, 0.0]
    for name in ("linear", "exponential", "inverse-exponential", "step"):
        assert schedule.step_values(name, 1) == [0.0]


@pytest.mark.parametrize("name", ["linear", "exponential", "inverse-exponential", "step"])
def test_every_shape_falls_from_one_to_zero(name):
    values = schedule.step_values(name, 6)
    assert values[0] == 1.0 and values[-1] == 0.0
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_examples_per_step_is_floor_of_k_times_s():
    values = schedule.step_values("linear", 4)
    assert [schedule.examples_at(6, s) for s in values] == [6, 4, 2, 0]
    assert [schedule.examples_at(5, s) for s in values] == [5, 3, 1, 0]


def test_epochs_spread_with_remainder_to_the_first_steps():
    assert schedule.epochs_per_step(12, 4) == [3, 3, 3, 3]
    assert schedule.epochs_per_step(14, 4) == [4, 4, 3, 3]
    assert schedule.epochs_per_step(7, 7) == [1] * 7
    with pytest.raises(ConfigError, match="fewer than the T = 4 steps"):
        schedule.epochs_per_step(3, 4)


def test_per_optimizer_step_variant():
    assert schedule.value_at("linear", 0.25) == pytest.approx(0.75)
    assert schedule.levels_of(4) == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert [schedule.level_index("linear", p, 4) for p in (0, 0.3, 0.5, 0.99, 1)] == [0, 1, 2, 4, 4]
    assert schedule.value_at("list", 0.6, values=[1, 0.5, 0]) == 0.5


def test_bad_schedules():
    with pytest.raises(ConfigError, match="unknown schedule 'linaer'") as err:
        schedule.step_values("linaer", 4)
    assert err.value.hint == "did you mean 'linear'?"
    with pytest.raises(ConfigError, match="one value per step"):
        schedule.step_values("list", 4, values=[1, 0])
    with pytest.raises(ConfigError, match=r"S_2 must be in \[0, 1\], got 1.5"):
        schedule.step_values("list", 2, values=[1, 1.5])
    with pytest.raises(ConfigError, match="at least 1"):
        schedule.step_values("linear", 0)
    with pytest.raises(ConfigError, match="> 0"):
        schedule.step_values("exponential", 4, lam=0)


def test_explicit_step_epochs_are_rendered_and_checked():
    from pydantic import ValidationError

    from skintern.curriculum.config import CurriculumConfig, ScheduleConfig
    from skintern.curriculum.stage import step_plan

    warm = ScheduleConfig(steps=4, epochs=14, step_epochs=[2, 2, 2, 8])
    plan = step_plan(CurriculumConfig(schedule=warm))
    assert [p["epochs"] for p in plan] == [2, 2, 2, 8]
    assert [p["S_t"] for p in plan][-1] == 0
    for bad in ([2, 2, 2, 2], [2, 2, 10], [0, 4, 2, 8]):
        with pytest.raises(ValidationError, match="step_epochs"):
            ScheduleConfig(steps=4, epochs=14, step_epochs=bad)

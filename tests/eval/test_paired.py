"""McNemar's exact test against the binomial tail computed independently by scipy."""

import pytest
from scipy.stats import binomtest

from skintern.eval.paired import correctness, mcnemar


def _answers(pattern: str) -> dict[str, bool]:
    return {f"q{i}": c == "1" for i, c in enumerate(pattern)}


@pytest.mark.parametrize(("a_only", "b_only"), [(10, 2), (3, 3), (0, 7), (25, 14)])
def test_p_value_is_the_two_sided_binomial_tail(a_only, b_only):
    both, neither = 5, 4
    a = _answers("1" * a_only + "0" * b_only + "1" * both + "0" * neither)
    b = _answers("0" * a_only + "1" * b_only + "1" * both + "0" * neither)
    result = mcnemar(a, b)
    expected = binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert result["p_value"] == pytest.approx(expected, rel=1e-12)
    assert (result["a_only"], result["b_only"]) == (a_only, b_only)
    assert result["n"] == a_only + b_only + both + neither


def test_only_shared_questions_count_and_no_disagreement_is_p_1():
    a = {"x": True, "y": False, "z": True}
    b = {"x": True, "y": False}
    result = mcnemar(a, b)
    assert result["n"] == 2 and result["p_value"] == 1.0
    assert result["a_accuracy"] == result["b_accuracy"] == 0.5


def test_correctness_reads_prediction_rows():
    rows = [{"id": "bbh/navigate/1", "correct": True}, {"id": "bbh/navigate/2", "correct": 0}]
    assert correctness(rows) == {"bbh/navigate/1": True, "bbh/navigate/2": False}


def test_paired_bootstrap_pools_seeds_and_finds_a_real_gap():
    from skintern.eval.paired import paired_bootstrap

    ids = [f"q{i}" for i in range(200)]
    strong = [{q: i % 10 < 6 for i, q in enumerate(ids)} for _ in range(3)]  # 60 %
    weak = [{q: i % 10 < 4 for i, q in enumerate(ids)}]  # 40 %, right only where strong is
    result = paired_bootstrap(strong, weak, samples=2000)
    assert result["n"] == 200 and (result["seeds_a"], result["seeds_b"]) == (3, 1)
    assert result["diff"] == pytest.approx(20.0)
    assert result["p"] < 0.001 and result["ci95"][0] > 10
    same = paired_bootstrap(weak, weak, samples=500)
    assert same["diff"] == 0 and same["p"] == 1.0 and same["mde"] == 0


def test_paired_bootstrap_ties_have_a_large_p_and_a_detectable_size():
    from skintern.eval.paired import paired_bootstrap

    ids = [f"q{i}" for i in range(300)]
    a = [{q: i % 2 == 0 for i, q in enumerate(ids)}]
    b = [{q: i % 4 in (0, 1) for i, q in enumerate(ids)}]  # same accuracy, other questions
    result = paired_bootstrap(a, b, samples=2000)
    assert abs(result["diff"]) < 1 and result["p"] > 0.5
    # half the questions disagree: SE = 100 * sqrt(0.5 / 300) ~ 4.1 points, MDE ~ 11.4
    assert result["mde"] == pytest.approx(2.8 * 100 * (0.5 / 300) ** 0.5, rel=0.1)

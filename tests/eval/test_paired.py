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

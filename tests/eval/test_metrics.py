"""Scores, CIs, groups and cost from prediction rows; empty and endless outputs score wrong."""

import pytest

from skintern.data.example import AnswerType, Example
from skintern.errors import ResumeError
from skintern.eval.flops import FlopsModel
from skintern.eval.infer import prediction_row
from skintern.eval.metrics import aggregate, bootstrap_ci, summarize
from skintern.eval.predictions import append_rows, read_done
from skintern.models.generate import Generation

FLOPS = FlopsModel(matmul_params=1000, attention_width=8)
OPTION = Example("arc-e/arc-e/0", "arc-e", "arc-e", "Q?", "B", AnswerType.OPTION, ("x", "y"))


def gen(text, finish="answer", prompt=10, new=5):
    return Generation(text, prompt, new, 0.5, finish)


def test_prediction_row_scores_and_costs():
    row = prediction_row(
        OPTION, "std-cot", [("P", gen("So... Therefore, the answer is (B)."))], FLOPS
    )
    assert row["correct"] is True and row["extracted"] == "B" and row["gold"] == "B"
    assert row["prefill_flops"] == FLOPS.prefill(10)
    assert row["flops"] == FLOPS.total(10, 5)
    assert row["extractor"] and isinstance(row["extractor_version"], int)


@pytest.mark.parametrize(
    "output", [gen("", "eos", new=1), gen("the the the the", "length", new=256)]
)
def test_empty_and_endless_outputs_are_wrong_and_unparseable(output):
    row = prediction_row(OPTION, "zero-shot-cot", [("P", output)], FLOPS)
    assert row["correct"] is False and row["extracted"] is None
    summary = summarize([row], samples=10)
    assert summary["unparseable"] == 1 and summary["accuracy"] == 0


def test_zero_shot_answer_after_the_prompts_final_phrase_is_scored():
    prompt = "Question: Q?\nAnswer: Therefore, the answer is"
    row = prediction_row(OPTION, "zero-shot", [(prompt, gen("(B)."))], FLOPS)
    assert row["correct"] is True


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_data():
    small = bootstrap_ci([True, False] * 5, samples=500)
    large = bootstrap_ci([True, False] * 200, samples=500)
    assert small[0] < 0.5 < small[1] and large[0] < 0.5 < large[1]
    assert large[1] - large[0] < small[1] - small[0]
    assert bootstrap_ci([True] * 4, samples=100) == [1.0, 1.0]
    assert bootstrap_ci([], samples=100) is None and bootstrap_ci([True], samples=0) is None


def test_summary_per_task_and_macro_groups():
    rows = [
        {**prediction_row(OPTION, "m", [("P", gen(t))], FLOPS), "task": task}
        for task, t in [("a", "Therefore, the answer is (B)."), ("a", "no"), ("b", "(B)")]
    ]
    summary = summarize(rows, samples=0)
    assert summary["tasks"]["a"]["accuracy"] == 0.5 and summary["n"] == 3
    assert summary["generated_tokens"] == 15 and summary["tokens_per_second"] == 10.0
    groups = aggregate(
        {
            "bbh": {**summary, "accuracy": 0.2},
            "arc-e": {**summary, "accuracy": 0.6},
            "agieval": {**summary, "accuracy": 0.4},
        },
        in_domain=["bbh", "gsm8k"],
    )
    assert groups["average"] == pytest.approx(0.4)
    assert groups["in_domain"] == {"datasets": ["bbh"], "average": 0.2}
    assert groups["out_of_domain"]["average"] == pytest.approx(0.5)
    assert groups["prefill_flops"] == 3 * summary["prefill_flops"]


def test_predictions_file_tolerates_only_a_truncated_last_line(tmp_path):
    path = tmp_path / "predictions.jsonl"
    append_rows(path, [{"id": "a"}, {"id": "b"}])
    with open(path, "a") as handle:
        handle.write('{"id": "c", "outp')
    assert [r["id"] for r in read_done(path)] == ["a", "b"]
    assert path.read_text() == '{"id": "a"}\n{"id": "b"}\n'  # cut back for clean appends
    path.write_text('{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(ResumeError, match="predictions.jsonl:2"):
        read_done(path)

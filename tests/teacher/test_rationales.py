"""Keep-if-correct and the one final format, on hand-written and real teacher outputs."""

import json

import pytest

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.bbh import load_task
from skintern.records import FINAL_PHRASE
from skintern.teacher.rationales import keep, normalise

NAV = Example(
    "bbh/navigate/0", "bbh", "navigate", "Take 1 step. Turn around.", "No", AnswerType.YES_NO
)
MC = Example(
    "bbh/date/0", "bbh", "date", "Q?\nOptions:\n(A) 01/02/2020\n(B) 03/04/2021", "B",
    AnswerType.OPTION, ("01/02/2020", "03/04/2021"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "example", "expected"),
    [
        ("We end at (3, -6). So the answer is No.", NAV,
         "We end at (3, -6). Therefore, the answer is No."),
        ("Tomorrow is 03/04/2021. So the answer is (B).", MC,
         "Tomorrow is 03/04/2021. Therefore, the answer is (B)."),
        ("Step one.\nThe final answer is (B)\n\nQ: another question", MC,
         "Step one. Therefore, the answer is (B)."),
        ("the answer is No", NAV, "Therefore, the answer is No."),
    ],
)  # fmt: skip
def test_normalise_ends_in_the_final_phrase(text, example, expected):
    assert normalise(text, example) == expected


def test_wrong_answers_are_dropped():
    assert keep("So the answer is Yes.", NAV) is None
    assert keep("So the answer is (A).", MC) is None
    assert keep("I am not sure.", NAV) is None
    assert keep("So the answer is No.", NAV) == f"{FINAL_PHRASE} No."


def test_real_teacher_outputs_keep_only_correct(shared_root):
    """code-davinci-002 on navigate: every kept rationale ends in the phrase with the gold."""
    examples = load_task(shared_root, "navigate")
    path = shared_root / "bbh" / "teacher-code-davinci-002" / "navigate.json"
    outputs = json.loads(path.read_text(encoding="utf-8"))["outputs"]
    kept = [keep(o["prediction"], e) for o, e in zip(outputs, examples, strict=True)]
    n_kept = sum(k is not None for k in kept)
    assert 0.8 * len(examples) < n_kept < len(examples)  # mostly right, not always
    for text, example, output in zip(kept, examples, outputs, strict=True):
        if text is not None:
            assert text.endswith(f"{FINAL_PHRASE} {example.answer}.")
            assert "So the answer is" not in text
            assert output["target"] == example.answer

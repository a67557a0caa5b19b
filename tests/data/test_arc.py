import json

import pytest

import skintern.data as data
from skintern.data.example import AnswerType
from skintern.data.loaders.arc import from_hub_row, relabel
from skintern.errors import ConfigError, DataError


def write_arc(root, name, rows):
    (root / "arc").mkdir(parents=True, exist_ok=True)
    (root / "arc" / name).write_text(json.dumps(rows))


@pytest.mark.parametrize("name,count", [("arc-e", 2376), ("arc-c", 1172)])
def test_real_counts_letters_and_options(shared_root, name, count):
    examples = data.load(name, "test", data_dir=shared_root)
    assert len(examples) == count == len({e.id for e in examples})
    assert data.load(name, "all", data_dir=shared_root) == examples
    for example in examples:
        assert example.answer_type is AnswerType.OPTION
        assert 3 <= len(example.options) <= 5
        assert example.answer in "ABCDE"[: len(example.options)]
        assert example.question.startswith("Question: ")
    numeric = [e for e in examples if e.meta.get("numeric_labels")]
    assert 0 < len(numeric) < count * 0.1
    assert all("(1)" not in e.question.split("Options:")[1] for e in numeric)


def test_question_as_given_and_numeric_labels(tmp_path):
    rows = [
        {"input": "Question: Sky?\nOptions:\n(A) blue\n(B) green", "target": "(A)"},
        {"input": "Question: Two?\nOptions:\n(1) one\n(2) two\n(3) three", "target": "(2)"},
    ]
    write_arc(tmp_path, "ARC-Challenge-Test.json", rows)
    first, second = data.load("arc-c", data_dir=tmp_path)
    assert first.question == rows[0]["input"] and first.answer == "A"
    assert first.options == ("blue", "green") and first.id == "arc-c/0"
    assert second.question == "Question: Two?\nOptions:\n(A) one\n(B) two\n(C) three"
    assert second.answer == "B" and second.meta == {"index": 1, "numeric_labels": True}
    assert relabel("(1) a\n(10) b") == "(A) a\n(10) b"  # only single-digit labels


def test_bad_target_and_train_split(tmp_path):
    write_arc(
        tmp_path,
        "ARC-Easy-Test.json",
        [{"input": "Question: ?\nOptions:\n(A) a\n(B) b", "target": "(D)"}],
    )
    with pytest.raises(DataError, match="target '\\(D\\)'") as info:
        data.load("arc-e", data_dir=tmp_path)
    assert info.value.where.endswith("ARC-Easy-Test.json: [0]")
    with pytest.raises(DataError, match="test split only"):
        data.load("arc-e", "train", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="no subtasks"):
        data.load("arc-e", task="easy", data_dir=tmp_path)


def test_hub_row_in_paper_format():
    row = {
        "question": "Which?",
        "answerKey": "3",
        "choices": {"text": ["a", "b", "c"], "label": ["1", "2", "3"]},
    }
    assert from_hub_row(row) == ("Question: Which?\nOptions:\n(A) a\n(B) b\n(C) c", "(C)")

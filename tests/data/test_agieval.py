import json

import pytest

import skintern.data as data
from skintern.data.example import AnswerType
from skintern.data.loaders.agieval import SUBSETS, from_hub_row
from skintern.errors import ConfigError, DataError

COUNTS = {"aqua-rat": 254, "lsat-ar": 230, "sat-math": 220}


def write_subset(root, name, rows):
    folder = root / "agieval"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


ROW = {
    "passage": "Ann has 3 red balls and 2 blue ones.",
    "question": "How many balls does Ann have?",
    "options": ["(A)4", "(B)5", "(C)6"],
    "label": "B",
    "answer": None,
    "other": {"solution": "3 + 2 = 5."},
}


def test_real_subsets_counts_letters_and_options(shared_root):
    everything = data.load("agieval", "all", data_dir=shared_root)
    by_task = {t: [e for e in everything if e.task == t] for t in COUNTS}
    assert {t: len(v) for t, v in by_task.items()} == COUNTS
    assert len(everything) == sum(COUNTS.values())
    assert data.load("agieval", "test", data_dir=shared_root) == everything
    for example in everything:
        assert example.answer_type is AnswerType.OPTION
        assert example.answer in "ABCDE"[: len(example.options)]
        assert not any(o.startswith("(") and o[2:3] == ")" for o in example.options)
        assert "\nOptions:\n(A) " in example.question
    assert {len(e.options) for e in by_task["sat-math"]} == {4}
    assert {len(e.options) for e in by_task["aqua-rat"]} == {5}
    lsat = data.load("agieval", task="lsat-ar", data_dir=shared_root)
    raw = json.loads((shared_root / "agieval/lsat-ar.jsonl").read_text().splitlines()[0])
    assert lsat[0].id == "agieval/lsat-ar/0"
    assert lsat[0].question.startswith(raw["passage"].strip() + "\n\n" + raw["question"])
    assert lsat[0].meta["passage_chars"] == len(raw["passage"].strip())
    assert lsat[0].answer == raw["label"]


def test_passage_question_options_and_rationale(tmp_path):
    write_subset(tmp_path, "logiqa-en", [ROW, {**ROW, "passage": None, "label": "C"}])
    first, second = data.load("agieval", "test", data_dir=tmp_path)
    assert first.question == (
        "Ann has 3 red balls and 2 blue ones.\n\nHow many balls does Ann have?\n"
        "Options:\n(A) 4\n(B) 5\n(C) 6"
    )
    assert first.options == ("4", "5", "6") and first.answer == "B"
    assert first.meta == {"index": 0, "passage_chars": 36, "rationale": "3 + 2 = 5."}
    assert second.question.startswith("How many balls") and second.meta["passage_chars"] == 0
    assert (first.task, first.dataset, second.id) == ("logiqa-en", "agieval", "agieval/logiqa-en/1")


def test_list_and_null_labels(tmp_path):
    rows = [{**ROW, "label": ["C"]}, {**ROW, "label": None, "answer": "A"}]
    write_subset(tmp_path, "sat-en", rows)
    assert [e.answer for e in data.load("agieval", data_dir=tmp_path)] == ["C", "A"]
    write_subset(tmp_path, "sat-en", [{**ROW, "label": ["A", "C"]}])
    with pytest.raises(DataError, match="several answers") as info:
        data.load("agieval", data_dir=tmp_path)
    assert info.value.where.endswith("sat-en.jsonl:1")
    write_subset(tmp_path, "sat-en", [ROW, {**ROW, "label": "F"}])
    with pytest.raises(DataError, match="not an option letter A-C") as info:
        data.load("agieval", data_dir=tmp_path)
    assert info.value.where.endswith("sat-en.jsonl:2")


def test_present_subsets_only_and_named_subset(tmp_path):
    write_subset(tmp_path, "sat-math", [ROW])
    write_subset(tmp_path, "aqua-rat", [ROW, ROW])
    assert [e.task for e in data.load("agieval", data_dir=tmp_path)] == ["aqua-rat"] * 2 + [
        "sat-math"
    ]
    with pytest.raises(DataError, match="file not found") as info:
        data.load("agieval", task="lsat-lr", data_dir=tmp_path)
    assert info.value.where == str(tmp_path / "agieval" / "lsat-lr.jsonl")
    with pytest.raises(ConfigError, match="unknown AGIEval subset 'sat_math'; known: aqua-rat"):
        data.load("agieval", task="sat_math", data_dir=tmp_path)


def test_no_training_split_and_no_files(tmp_path):
    with pytest.raises(DataError, match="AGIEval has no training split"):
        data.load("agieval", "train", data_dir=tmp_path)
    with pytest.raises(DataError, match="no AGIEval subset files") as info:
        data.load("agieval", data_dir=tmp_path)
    assert info.value.where == str(tmp_path / "agieval")


def test_hub_row_in_local_schema():
    # the query layout of hails/agieval-*: passage + "Q: " + question + " Answer Choices: ..."
    query = "A passage.Q: Which one? Answer Choices: (A)x (B)y\nA: Among A through B, the answer is"
    row = from_hub_row({"query": query, "choices": ["(A)x", "(B)y"], "gold": [1]})
    assert row == {
        "passage": "A passage.",
        "question": "Which one?",
        "options": ["(A)x", "(B)y"],
        "label": ["B"],
    }
    assert len(SUBSETS) == 8

import json

import pytest
from pydantic import ValidationError

from skintern.data.config import DataConfig, DatasetSpec
from skintern.data.example import AnswerType
from skintern.data.loaders.files import infer_answer_type, load_file, parse_number
from skintern.data.stage import load_spec, run
from skintern.errors import DataError
from skintern.files import read_jsonl


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_jsonl_with_field_mapping_and_options(tmp_path):
    rows = [
        {"prompt": "Colour of the sky?", "label": "(B)", "choices": ["green", "blue"], "src": "x"},
        {"prompt": "Colour of grass?", "label": "green", "choices": ["green", "blue"]},
    ]
    path = write_jsonl(tmp_path / "mine.jsonl", rows)
    fields = {"question": "prompt", "answer": "label", "options": "choices"}
    first, second = load_file(path, dataset="mine", fields=fields)
    assert first.question == "Colour of the sky?\nOptions:\n(A) green\n(B) blue"
    assert (first.answer, second.answer) == ("B", "A")  # a letter, or the option's text
    assert first.answer_type is AnswerType.OPTION and first.options == ("green", "blue")
    assert (first.id, second.id, first.task) == ("mine/0", "mine/1", "mine")
    assert first.meta == {"source": f"{path}:1", "passage_chars": 0, "src": "x"}


def test_csv_with_option_columns_ids_and_inferred_types(tmp_path):
    path = tmp_path / "quiz.csv"
    path.write_text(
        'key,q,gold,A,B,C\nk1,"Pick, please",C,one,two,three\nk2,Which?,a,one,two,three\n'
    )
    fields = {"id": "key", "question": "q", "answer": "gold", "options": "A,B,C"}
    first, second = load_file(path, dataset="quiz", fields=fields)
    assert (first.id, first.question.splitlines()[0], first.answer) == (
        "quiz/k1",
        "Pick, please",
        "C",
    )
    assert first.options == ("one", "two", "three") and second.answer == "A"
    assert first.meta["source"] == f"{path}:2"

    plain = tmp_path / "plain.csv"
    plain.write_text(
        'question,answer\nHow many?,"1,250"\nRaining?,Yes\nTrue?,false\n'
        "Valid?,invalid\nName?,Paris\nCritical?,None\n"
    )
    kinds = [(e.answer_type, e.answer) for e in load_file(plain, dataset="plain")]
    assert kinds == [
        (AnswerType.NUMBER, "1250"),
        (AnswerType.YES_NO, "yes"),
        (AnswerType.TRUE_FALSE, "false"),
        (AnswerType.VALID_INVALID, "invalid"),
        (AnswerType.FREE_TEXT, "Paris"),
        (AnswerType.FREE_TEXT, "None"),
    ]


def test_gsm_style_answers_and_rationale_mapping(tmp_path):
    rows = [
        {"question": "Q?", "solution": "2 + 2 = 4", "answer": "4", "perturbation_type": "x"},
        {"question": "R?", "answer": "so 3 + 3 = 6\n#### 6"},
    ]
    path = write_jsonl(tmp_path / "gsm-plus.jsonl", rows)
    first, second = load_file(
        path, dataset="gsm-plus", fields={"rationale": "solution"}, answer_type="number"
    )
    assert (first.answer, first.meta["rationale"]) == ("4", "2 + 2 = 4")
    assert first.meta["perturbation_type"] == "x" and "solution" not in first.meta
    assert (second.answer, second.meta["rationale"]) == ("6", "so 3 + 3 = 6")


def test_declared_type_mismatch_and_missing_field(tmp_path):
    path = write_jsonl(
        tmp_path / "f.jsonl",
        [{"question": "Q?", "answer": "7"}, {"question": "R?", "answer": "seven"}],
    )
    with pytest.raises(DataError, match="'seven' is not a number") as info:
        load_file(path, dataset="f", answer_type="number")
    assert info.value.where == f"{path}:2"
    with pytest.raises(
        DataError, match="missing field 'prompt' \\(mapped from 'question'\\)"
    ) as info:
        load_file(path, dataset="f", fields={"question": "prompt"})
    assert info.value.where == f"{path}:1"
    with pytest.raises(DataError, match="unknown field mapping keys \\['qestion'\\]"):
        load_file(path, dataset="f", fields={"qestion": "q"})
    dup = write_jsonl(tmp_path / "dup.jsonl", [{"id": 1, "question": "a", "answer": "1"}] * 2)
    with pytest.raises(DataError, match="duplicate id 'dup/1'"):
        load_file(dup, dataset="dup")


def test_seeded_split_partitions_the_file(tmp_path):
    path = write_jsonl(
        tmp_path / "f.jsonl", [{"question": f"Q{i}?", "answer": str(i)} for i in range(50)]
    )
    train = load_file(path, dataset="f", split="train", seeded_split=True, seed=1)
    test = load_file(path, dataset="f", split="test", seeded_split=True, seed=1)
    assert (len(train), len(test)) == (40, 10)
    assert {e.id for e in train}.isdisjoint({e.id for e in test})
    assert len(load_file(path, dataset="f", split="test")) == 50  # the whole file by default


def test_config_spec_with_path_and_stage(tmp_path):
    path = write_jsonl(
        tmp_path / "mine.jsonl",
        [{"q": "Q?", "a": "yes", "t": "one"}, {"q": "R?", "a": "no", "t": "two"}],
    )
    spec = {
        "name": "mine",
        "path": str(path),
        "fields": {"question": "q", "answer": "a", "task": "t"},
    }
    cfg = DataConfig(test=[spec, {**spec, "name": "mine-two", "tasks": ["two"]}])
    assert [e.answer for e in load_spec(cfg.test[0], "test", cfg)] == ["yes", "no"]
    assert [e.task for e in load_spec(cfg.test[1], "test", cfg)] == ["two"]
    manifest = run(cfg, tmp_path / "run")
    assert manifest["counts"] == {"test": {"mine": 2, "mine-two": 1}}
    assert read_jsonl(tmp_path / "run/data/test/mine.jsonl")[0]["id"] == "mine/0"


def test_config_spec_validation():
    assert DatasetSpec(name="anything", path="x.csv", answer_type="number").answer_type == "number"
    with pytest.raises(ValidationError, match="unknown dataset 'anything'"):
        DatasetSpec(name="anything")
    with pytest.raises(ValidationError, match="fields only apply to a user file"):
        DatasetSpec(name="gsm8k", fields={"question": "q"})
    with pytest.raises(ValidationError, match="unknown fields keys \\['prompt'\\]"):
        DatasetSpec(name="mine", path="x.csv", fields={"prompt": "q"})
    with pytest.raises(ValidationError, match="must be letters"):
        DatasetSpec(name="../evil", path="x.csv")
    with pytest.raises(ValidationError, match="answer_type"):
        DatasetSpec(name="mine", path="x.csv", answer_type="letter")
    with pytest.raises(ValidationError, match="Extra inputs"):
        DatasetSpec(name="mine", path="x.csv", colums={})


def test_number_parsing_and_inference():
    assert [parse_number(t) for t in ("1,234", "$5", "-0.5", "+3", "12.", "1,23", "x", ".")] == [
        "1234",
        "5",
        "-0.5",
        "3",
        "12",
        None,
        None,
        None,
    ]
    assert infer_answer_type("3", has_options=True) is AnswerType.OPTION

import json

import pytest

import skintern.data as data
from skintern.data.example import AnswerType
from skintern.data.loaders.gsm8k import parse_answer
from skintern.errors import ConfigError, DataError


def write_split(root, split, rows):
    (root / "gsm8k").mkdir(parents=True, exist_ok=True)
    (root / "gsm8k" / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_real_counts_and_answers(shared_root):
    train = data.load("gsm8k", "train", data_dir=shared_root)
    test = data.load("gsm8k", "test", data_dir=shared_root)
    assert (len(train), len(test)) == (7473, 1319)
    assert data.load("gsm8k", "all", data_dir=shared_root) == train + test
    assert len({e.id for e in train + test}) == 7473 + 1319
    for example in train + test:
        assert example.answer_type is AnswerType.NUMBER
        float(example.answer)  # every gold answer is a plain number
        assert "<<" not in example.meta["rationale"] and "####" not in example.meta["rationale"]
    assert any(
        "," in json.loads(line)["answer"].split("####")[1]
        for line in (shared_root / "gsm8k/test.jsonl").read_text().splitlines()
    )
    assert test[0].id == "gsm8k/test/0" and test[0].answer == "18"


def test_answer_rationale_and_commas(tmp_path):
    rows = [
        {"question": "Q1?", "answer": "She makes 9 * 2 = $<<9*2=18>>18.\n#### 18"},
        {"question": "Q2?", "answer": "Total 1,000 + 200 = <<1000+200=1200>>1,200\n#### 1,200"},
    ]
    write_split(tmp_path, "train", rows)
    write_split(tmp_path, "test", rows[:1])
    first, second = data.load("gsm8k", "train", data_dir=tmp_path)
    assert (first.answer, second.answer) == ("18", "1200")
    assert first.meta == {"split": "train", "index": 0, "rationale": "She makes 9 * 2 = $18."}
    assert second.meta["rationale"] == "Total 1,000 + 200 = 1,200"
    assert [e.id for e in data.load("gsm8k", "all", data_dir=tmp_path)] == [
        "gsm8k/train/0",
        "gsm8k/train/1",
        "gsm8k/test/0",
    ]
    assert parse_answer("x\n#### -3.5", "w") == ("-3.5", "x")


def test_missing_final_answer_and_task(tmp_path):
    write_split(
        tmp_path,
        "test",
        [{"question": "Q?", "answer": "#### 1"}, {"question": "Q?", "answer": "no final line"}],
    )
    with pytest.raises(DataError, match="does not end with '#### <number>'") as info:
        data.load("gsm8k", "test", data_dir=tmp_path)
    assert info.value.where == f"{tmp_path / 'gsm8k' / 'test.jsonl'}:2"
    with pytest.raises(ConfigError, match="no subtasks"):
        data.load("gsm8k", task="main", data_dir=tmp_path)

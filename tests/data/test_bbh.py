import json

import pytest

import skintern.data as data
from skintern.data.example import AnswerType, Example
from skintern.data.loaders.bbh import TASKS, load_cot_prompt, parse_options
from skintern.errors import ConfigError, DataError
from skintern.paths import data_root

try:
    ROOT = data_root()
except DataError:
    ROOT = None
needs_shared = pytest.mark.skipif(ROOT is None, reason="shared data folder ../shared/data absent")


@needs_shared
def test_bbh_counts_and_split():
    everything = data.load("bbh", "all")
    train, test = data.load("bbh", "train"), data.load("bbh", "test")
    assert len(everything) == 6511
    assert len({e.task for e in everything}) == 27 == len(TASKS)
    assert len(train) + len(test) == 6511
    assert 1250 <= len(test) <= 1350
    assert {e.id for e in train}.isdisjoint({e.id for e in test})
    assert len({e.id for e in everything}) == 6511


@needs_shared
def test_bbh_all_keeps_file_order_and_ids_are_stable():
    nav = data.load("bbh", "all", task="navigate")
    raw = json.loads((ROOT / "bbh/tasks/navigate.json").read_text())["examples"]
    assert [e.question for e in nav] == [r["input"] for r in raw]
    assert nav[17].id == "bbh/navigate/17"
    assert data.load("bbh", "test", seed=3) == data.load("bbh", "test", seed=3)
    assert data.load("bbh", "test", seed=3) != data.load("bbh", "test", seed=4)


@needs_shared
def test_bbh_answer_types_and_options():
    date = data.load("bbh", "all", task="date_understanding")
    assert all(e.answer_type is AnswerType.OPTION and e.answer in "ABCDEF" for e in date)
    assert all(len(e.options) >= 2 for e in date)
    assert data.load("bbh", "all", task="object_counting")[0].answer_type is AnswerType.NUMBER
    assert data.load("bbh", "all", task="word_sorting")[0].answer_type is AnswerType.FREE_TEXT
    fallacies = data.load("bbh", "all", task="formal_fallacies")
    assert {e.answer for e in fallacies} == {"valid", "invalid"}
    assert date[0].meta["task_description"] == "Infer the date from context."


@needs_shared
def test_cot_prompt_has_three_exemplars():
    for task in TASKS:
        prompt = load_cot_prompt(ROOT, task)
        assert prompt.description and len(prompt.exemplars) == 3, task
        assert all(a.startswith("Let's think step by step.") for _, a in prompt.exemplars)


def test_parse_options():
    text = "Which?\nOptions:\n(A) red\n(B) the blue one\n(C)green"
    assert parse_options(text) == ("red", "the blue one", "green")
    assert parse_options("no options here") == ()


def test_example_roundtrip():
    example = Example("d/t/0", "d", "t", "q?", "B", AnswerType.OPTION, ("x", "y"), {"k": 1})
    assert Example.from_dict(json.loads(json.dumps(example.to_dict()))) == example


def test_unknown_task_and_dataset_list_known(tmp_path):
    with pytest.raises(ConfigError, match="unknown BBH task 'navigat'") as info:
        data.load("bbh", task="navigat", data_dir=tmp_path)
    assert info.value.hint == "did you mean 'navigate'?"
    with pytest.raises(ConfigError, match="known: .*bbh"):
        data.load("bbbh")


def make_task(root, task, text, prompt=True):
    (root / "bbh/tasks").mkdir(parents=True, exist_ok=True)
    (root / "bbh/cot-prompts").mkdir(parents=True, exist_ok=True)
    (root / f"bbh/tasks/{task}.json").write_text(text, encoding="utf-8")
    if prompt:
        (root / f"bbh/cot-prompts/{task}.txt").write_text(
            "canary\n-----\nDesc.\n\nQ: q1\nA: Let's think step by step.\nx. So the answer is No."
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"examples": [{"input": "q"}]}', "missing field 'target'"),
        ('{"examples": []}', "at least one example"),
        ("", "file is empty"),
        ('{"examples": [', "malformed JSON"),
    ],
)
def test_bad_task_files(tmp_path, text, message):
    make_task(tmp_path, "navigate", text)
    with pytest.raises(DataError, match=message) as info:
        data.load("bbh", "all", data_dir=tmp_path, task="navigate")
    assert "navigate.json" in str(info.value)


def test_missing_and_non_utf8(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        data.load("bbh", data_dir=tmp_path / "nowhere")
    with pytest.raises(DataError, match="file not found"):
        data.load("bbh", data_dir=tmp_path, task="navigate")
    make_task(tmp_path, "navigate", "x")
    (tmp_path / "bbh/tasks/navigate.json").write_bytes(b'{"examples": ["\xff"]}')
    with pytest.raises(DataError, match="not UTF-8"):
        data.load("bbh", data_dir=tmp_path, task="navigate")


def test_small_real_file(tmp_path):
    make_task(tmp_path, "navigate", '{"examples": [{"input": "Go?", "target": "No"}]}')
    (example,) = data.load("bbh", "all", data_dir=tmp_path, task="navigate")
    assert (example.id, example.answer, example.answer_type) == ("bbh/navigate/0", "No", "yes_no")
    assert example.meta["task_description"] == "Desc."

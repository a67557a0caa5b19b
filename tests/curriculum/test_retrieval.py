import pytest
from curriculum_fixtures import TEST_QUESTION, example, train_examples

from skintern.curriculum.retrieval import (
    build_pool,
    is_near_duplicate,
    sample_kept,
    top_k,
)
from skintern.errors import ConfigError, DataError
from skintern.records import Rationale


def rationales_for(examples):
    return [Rationale(e.id, e.task, 0, f"why {e.id}", "test") for e in examples]


@pytest.fixture
def train():
    rows = train_examples()
    # a near-duplicate of object_counting/0 (one word changed) and an exact test-question copy
    rows.append(example("object_counting", 50, rows[6].question.replace("four", "five"), "7"))
    return rows


@pytest.fixture
def test_split():
    return [example("object_counting", 99, TEST_QUESTION, "4")]


@pytest.mark.parametrize("retriever", ["bm25", "dense"])
def test_never_self_test_or_near_duplicate(retriever, train, test_split):
    pool = build_pool(train, rationales_for(train), test_split)
    pool_ids = {s.id for s in pool}
    assert "bbh/object_counting/2" not in pool_ids  # its question is a test question
    found = top_k(train, pool, 3, retriever=retriever)
    assert set(found) == {e.id for e in train}
    questions = {e.id: e.question for e in train}
    for query, neighbors in found.items():
        ids = [i for i, _ in neighbors]
        assert len(ids) == 3 and query not in ids
        assert "bbh/object_counting/2" not in ids and "bbh/object_counting/99" not in ids
        assert all(i.split("/")[1] == query.split("/")[1] for i in ids)  # same task
        assert not any(is_near_duplicate(questions[query], questions[i], 0.9) for i in ids)
    # object_counting/0 and /50 differ by one word: never shown with each other
    assert "bbh/object_counting/50" not in [i for i, _ in found["bbh/object_counting/0"]]


def test_bm25_ranks_the_similar_question_first(train, test_split):
    pool = build_pool(train, rationales_for(train), test_split)
    found = top_k(train, pool, 2, same_task=False, near_duplicate=1.0)
    # the violin/drum/trumpet question shares "musical instruments" with the piano one
    assert found["bbh/object_counting/0"][0][0] in {
        "bbh/object_counting/50",
        "bbh/object_counting/5",
    }
    scores = [s for _, s in found["bbh/navigate/0"]]
    assert scores == sorted(scores, reverse=True)


def test_only_examples_with_a_rationale_are_shown(train):
    with_rationale = [e for e in train if e.task == "navigate"][:3]
    pool = build_pool(train, rationales_for(with_rationale))
    assert {s.id for s in pool} == {e.id for e in with_rationale}
    assert pool[0].answer == "why bbh/navigate/0"


def test_k_larger_than_the_pool(train):
    pool = build_pool(train, rationales_for(train))
    with pytest.raises(DataError, match=r"only 5 examples can be shown .* \(K = 6\)") as err:
        top_k(train, pool, 6)
    assert "curriculum.k" in err.value.hint
    with pytest.raises(ConfigError, match="unknown retriever"):
        top_k(train, pool, 2, retriever="tfidf")


def test_sampling_is_seeded_per_example_and_step():
    ids = [f"n{i}" for i in range(6)]
    first = sample_kept(ids, 4, 0, "bbh/x/1", 2)
    assert len(first) == 4 and first == sample_kept(ids, 4, 0, "bbh/x/1", 2)
    assert first == [i for i in ids if i in first]  # rank order kept
    draws = {tuple(sample_kept(ids, 2, 0, "bbh/x/1", step)) for step in range(1, 20)}
    assert len(draws) > 1
    assert sample_kept(ids, 0, 0, "bbh/x/1", 4) == []
    assert sample_kept(ids, 6, 0, "bbh/x/1", 1) == ids


def test_symbols_make_questions_different():
    # Dyck and Boolean-expression questions differ only in brackets and operators
    a = "Complete the rest of the sequence. Input: [ { ( < [ ] > ) } ] ( ( [ ]"
    b = "Complete the rest of the sequence. Input: { < ( ) > } [ < { } > ] < ["
    assert not is_near_duplicate(a, b, 0.9)
    assert is_near_duplicate(a, a.replace("Input:", "Input :"), 0.9)

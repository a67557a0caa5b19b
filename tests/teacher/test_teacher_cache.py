"""The SQLite cache: keys, one answer per key, survives reopening, WAL mode."""

import pytest

from skintern.errors import ResumeError
from skintern.teacher.backends.base import Completion, Failure, Sampling
from skintern.teacher.cache import Cache, request_key

S = Sampling(0.8, 1.0, 16, 0).to_dict()


def test_key_changes_with_everything_that_changes_the_answer():
    base = request_key("openai-http/chat:m", "p", S, sample=0, prompt_version="1")
    assert base == request_key("openai-http/chat:m", "p", S, sample=0, prompt_version="1")
    assert base != request_key("openai-http/chat:m2", "p", S, sample=0, prompt_version="1")
    assert base != request_key("openai-http/chat:m", "q", S, sample=0, prompt_version="1")
    assert base != request_key("openai-http/chat:m", "p", S, sample=1, prompt_version="1")
    assert base != request_key("openai-http/chat:m", "p", S, sample=0, prompt_version="2")
    other = Sampling(0.8, 1.0, 16, 1).to_dict()
    assert base != request_key("openai-http/chat:m", "p", other, sample=0, prompt_version="1")


def test_answers_persist_once(tmp_path):
    path = tmp_path / "teacher" / "cache.sqlite"
    cache = Cache(path)
    cache.put("rationale", [Completion("k1", "first", 10, 2)])
    cache.put("rationale", [Completion("k1", "second", 10, 2), Completion("k2", "x", 1, 1)])
    cache.record_failure(Failure("k3", "timeout", "", 7))
    cache.close()
    cache = Cache(path)
    assert cache.keys(["k1", "k2", "k3"]) == {"k1", "k2"}
    assert cache.get_many(["k1"])["k1"].text == "first"  # the first answer stands
    assert cache.count() == 2
    mode = cache.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    cache.close()


def test_many_keys(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    cache.put("rationale", [Completion(f"k{i}", str(i)) for i in range(1200)])
    assert len(cache.keys(f"k{i}" for i in range(0, 2400, 2))) == 600
    cache.close()


def test_unreadable_cache_is_a_resume_error(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ResumeError, match="SQLite") as err:
        Cache(path)
    assert err.value.where == str(path)

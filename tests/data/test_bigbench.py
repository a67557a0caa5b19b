import functools
import http.server
import io
import json
import tarfile
import threading

import pytest

import skintern.data as data
from skintern.data.example import AnswerType
from skintern.data.loaders import bigbench
from skintern.data.loaders.bbh import TASKS as BBH_TASKS
from skintern.errors import ConfigError, DataError

MC = ["logical reasoning", "multiple choice"]
PREFIX = "bigbench-1.0.0/bigbench/benchmark_tasks"


def mc_examples(n, tag, choices=4):
    """`n` questions whose right answer is always listed first (as in several real tasks)."""
    scores = [{f"{tag}{i}-{c}": int(c == 0) for c in range(choices)} for i in range(n)]
    return [{"input": f"{tag} {i}?", "target_scores": row} for i, row in enumerate(scores)]


def task_json(keywords, examples=None, **extra):
    content = {"name": "t", "keywords": keywords, **extra}
    if examples is not None:
        content["examples"] = examples
    return content


def write_sdist(path, members):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            raw = content if isinstance(content, bytes) else json.dumps(content).encode()
            info = tarfile.TarInfo(f"{PREFIX}/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SKINTERN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def sdist(cache):
    odd = [
        {"input": "tie?", "target_scores": {"a": 1, "b": 1}},  # two best answers: skipped
        {"input": "many?", "target_scores": {f"w{i}": int(i == 3) for i in range(30)}},  # > 26
        {"input": "count?", "target_scores": {str(i): int(i == 7) for i in range(30)}},  # numbers
    ]
    strategyqa = [
        {"input": "Is ice cold?", "target_scores": {"Yes": 1, "No": 0}, "target": "Yes. It is."},
        *({"input": f"Q{i}?", "target_scores": {"Yes": 0, "No": 1}, "target": "No. Because."}
          for i in range(9)),
    ]  # fmt: skip
    members = {
        "big_mc/task.json": task_json(MC, mc_examples(150, "big"), task_prefix="Pick one."),
        "pooled/task.json": task_json(MC),  # the parent of two subtasks, after them here
        "pooled/a/task.json": task_json(MC, mc_examples(70, "a", 3)),
        "pooled/b/task.json": task_json(MC, mc_examples(50, "b", 2) + odd),
        "snarks/task.json": task_json(MC, mc_examples(5, "snarks")),  # a BBH task
        "logical_deduction/task.json": task_json(MC),  # a BBH source task
        "logical_deduction/three/task.json": task_json(MC, mc_examples(5, "ld")),
        "not_mc/task.json": task_json(["zero-shot"], mc_examples(5, "no")),
        "strategyqa/task.json": task_json(["implicit reasoning"], strategyqa),
        "big_mc/README.md": b"not a task",
    }
    path = cache / "downloads" / bigbench.SDIST
    write_sdist(path, members)
    return path


def test_bbsub_selection(sdist):
    examples = data.load("bbsub", "test")
    by_task = {t: [e for e in examples if e.task == t] for t in {e.task for e in examples}}
    assert set(by_task) == {"big_mc", "pooled"}  # BBH tasks, their sources and non-MC left out
    assert len(by_task["big_mc"]) == 100 and len(by_task["pooled"]) == 100
    assert {e.meta["subtask"] for e in by_task["pooled"]} == {"a", "b"}
    assert len({e.id for e in examples}) == 200
    for example in examples:
        if example.answer_type is AnswerType.NUMBER:
            assert (example.id, example.answer) == ("bbsub/pooled/b/52", "7")
            continue
        correct = example.options["ABCD".index(example.answer)]
        assert correct.endswith("-0")  # the option that scored 1, wherever the shuffle put it
        assert example.question.endswith("Options:\n" + "\n".join(
            f"({'ABCD'[i]}) {o}" for i, o in enumerate(example.options)))  # fmt: skip
    assert {e.answer for e in by_task["big_mc"]} == set("ABCD")  # shuffled, not always A
    first = data.load("bbsub", task="big_mc")[0]
    assert first.question.startswith("Pick one.\n\nbig ")
    assert not any(e.meta.get("index") in (50, 51) and e.meta.get("subtask") == "b"
                   for e in examples)  # the tie and the 30 non-number choices  # fmt: skip


def test_bbsub_seeded_and_cached(sdist, cache):
    ids = [e.id for e in data.load("bbsub", seed=0)]
    other = [e.id for e in data.load("bbsub", seed=1)]
    assert ids != other and len(other) == len(ids)
    assert (cache / "bigbench" / bigbench.CACHE_VERSION / "bbsub-seed1.json").is_file()
    sdist.unlink()  # later loads read the cache only
    assert [e.id for e in data.load("bbsub", "all", seed=0)] == ids
    (bigbench.cache_folder() / "bbsub-seed0.json").unlink()  # a new extraction needs the sdist
    with pytest.raises(DataError, match="not downloaded") as info:
        data.load("bbsub", seed=0)
    assert "scripts/fetch_bigbench.sh" in info.value.hint and "make setup" in info.value.hint


def test_bbsub_errors(sdist):
    with pytest.raises(DataError, match="test split only"):
        data.load("bbsub", "train")
    with pytest.raises(ConfigError, match="BBH source task, excluded"):
        data.load("bbsub", task="snarks")
    with pytest.raises(ConfigError, match="not a BB-sub task") as info:
        data.load("bbsub", task="big_mcc")
    assert info.value.hint == "did you mean 'big_mc'?"


def test_corrupt_sdist(cache):
    path = cache / "downloads" / bigbench.SDIST
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a tar file")
    with pytest.raises(DataError, match="cannot read the archive") as info:
        data.load("strategyqa")
    assert "delete it" in info.value.hint


def test_strategyqa(sdist):
    everything = data.load("strategyqa", "all")
    assert len(everything) == 10 and all(e.answer_type is AnswerType.YES_NO for e in everything)
    assert everything[0].answer == "Yes" and everything[0].meta["rationale"] == "It is."
    assert everything[1].answer == "No" and everything[1].meta["rationale"] == "Because."
    train, test = data.load("strategyqa", "train", seed=3), data.load("strategyqa", "test", seed=3)
    assert (len(train), len(test)) == (8, 2)
    assert sorted(e.id for e in train + test) == sorted(e.id for e in everything)
    assert [e.id for e in data.load("strategyqa", "test", seed=3)] == [e.id for e in test]


def test_every_bbh_task_is_excluded():
    for task in BBH_TASKS:
        assert bigbench.BBH_SOURCES.get(task, task) in bigbench.EXCLUDED
    sources = {"logical_deduction", "tracking_shuffled_objects", "causal_judgment",
               "formal_fallacies_syllogisms_negation", "multistep_arithmetic"}  # fmt: skip
    assert sources <= bigbench.EXCLUDED
    assert bigbench._peek_keywords(b'{"name": "x", "keywords": ["a", "multiple choice"]}') == [
        "a", "multiple choice"]  # fmt: skip
    assert bigbench._peek_keywords(b'{"name": "x"}') is None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_checks_the_hash(cache, tmp_path):
    """A real local index (PEP 503 HTML) serving a file whose sha256 is not the pinned one."""
    (tmp_path / "index" / "bigbench").mkdir(parents=True)
    (tmp_path / "index" / bigbench.SDIST).write_bytes(b"fake")
    link = f'<a href="../{bigbench.SDIST}#sha256=x">{bigbench.SDIST}</a>'
    (tmp_path / "index" / "bigbench" / "index.html").write_text(link)
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "index"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        with pytest.raises(DataError, match="sha256 mismatch"):
            bigbench.fetch(index_url=url)
        assert not bigbench.sdist_path().exists()  # nothing half-written
        bigbench.sdist_path().write_bytes(b"present")
        assert bigbench.fetch(index_url=url) == bigbench.sdist_path()  # kept, not fetched again
    finally:
        server.shutdown()


# --- the real sdist, through the cache `scripts/fetch_bigbench.sh` writes -----------------------


@pytest.fixture
def real_cache():
    if not (bigbench.cache_folder() / "bbsub-seed0.json").is_file():
        pytest.skip("BIG-bench cache absent: run `sh scripts/fetch_bigbench.sh` (make setup does)")


def test_real_bbsub(real_cache):
    examples = data.load("bbsub", "test")
    tasks = {e.task for e in examples}
    assert (len(examples), len(tasks)) == (4946, 59)
    assert not tasks & bigbench.EXCLUDED
    counts = {t: sum(e.task == t for e in examples) for t in tasks}
    assert max(counts.values()) == 100 and counts["gre_reading_comprehension"] == 26
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for example in examples:
        if example.answer_type is AnswerType.NUMBER:
            assert example.task == "intersect_geometry" and example.answer.isdigit()
        else:
            assert example.answer in letters[: len(example.options)]
            assert f"\n({example.answer}) " in example.question


def test_real_strategyqa(real_cache):
    train, test = data.load("strategyqa", "train"), data.load("strategyqa", "test")
    assert (len(train), len(test)) == (1832, 458)
    assert {e.answer for e in train + test} == {"Yes", "No"}
    assert all(e.meta.get("rationale") for e in train)

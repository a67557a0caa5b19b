"""The HTTP backend against a real llama.cpp server (SmolLM2-135M), with faults injected by a
proxy between client and server; no mocked client."""

from __future__ import annotations

import sqlite3

import pytest
from teacher_fixtures import (
    API_KEY,
    KEY_ENV,
    arithmetic_examples,
    free_port,
    http_teacher,
    write_run,
)

from skintern.errors import TeacherError
from skintern.teacher import stage
from skintern.teacher.config import TeacherConfig


def cache_rows(run_dir):
    with sqlite3.connect(run_dir / "teacher" / "cache.sqlite") as conn:
        return conn.execute("SELECT key, text FROM responses").fetchall()


def test_clean_run_is_cached_and_never_asked_again(llama_server, tmp_path):
    run_dir = write_run(tmp_path / "run", arithmetic_examples(6))
    prices = {"prompt_per_million": 0.5, "completion_per_million": 1.5}
    cfg = TeacherConfig(**http_teacher(llama_server, prices=prices))
    manifest = stage.run(cfg, run_dir)
    req = manifest["requests"]
    assert (req["total"], req["sent"], req["completed"], req["failed"]) == (14, 14, 14, 0)
    assert manifest["tokens"]["prompt"] > 14 * 40  # the D.1 / D.2 prompts are long
    assert 0 < manifest["tokens"]["completion"] <= 12 * 8 + 2 * 12
    tokens = manifest["tokens"]
    expected = (tokens["prompt"] * 0.5 + tokens["completion"] * 1.5) / 1e6
    assert manifest["cost"]["amount"] == pytest.approx(expected, rel=1e-4)
    rows = cache_rows(run_dir)
    assert len(rows) == 14 and all(text for _, text in rows)
    # 12 rationale answers from 8 tokens cannot hold a learning summary: failed, not empty
    assert manifest["knowledge"]["written"] + manifest["knowledge"]["unparsed"] == 2

    # everything cached: a second run sends nothing, so it needs no server at all
    dead = http_teacher(f"http://127.0.0.1:{free_port()}/v1")
    again = stage.run(TeacherConfig(**dead), run_dir)
    assert (again["requests"]["cache_hits"], again["requests"]["sent"]) == (14, 0)
    for name in ("rationales.jsonl", "manifest.json", "cache.sqlite"):
        path = run_dir / "teacher" / name
        assert API_KEY.encode() not in path.read_bytes(), name
    assert KEY_ENV in (run_dir / "teacher" / "manifest.json").read_text()


def test_faults_are_retried_until_answered(fault_proxy, tmp_path):
    proxy = fault_proxy(rate=0.5, seed=1)
    run_dir = write_run(tmp_path / "run", arithmetic_examples(8))
    manifest = stage.run(TeacherConfig(**http_teacher(proxy.url)), run_dir)
    assert manifest["requests"]["completed"] == manifest["requests"]["total"] == 18
    assert manifest["requests"]["retries"] >= sum(proxy.injected.values()) > 3
    assert len(cache_rows(run_dir)) == 18


def test_exhausted_retries_are_failures_and_the_run_goes_on(fault_proxy, tmp_path):
    proxy = fault_proxy(rate=1.0, seed=2, stall_s=3.0)  # nothing reaches the server: short waits
    run_dir = write_run(tmp_path / "run", arithmetic_examples(4))
    section = http_teacher(
        proxy.url, http={"max_retries": 1, "timeout_s": 2.0}, knowledge={"source": "none"}
    )
    manifest = stage.run(TeacherConfig(**section), run_dir)
    req = manifest["requests"]
    assert (req["completed"], req["failed"]) == (0, 8)
    assert sum(req["failures_by_reason"].values()) == 8
    assert set(req["failures_by_reason"]) <= {"http-500", "http-429", "timeout", "connection",
                                              "malformed"}  # fmt: skip
    assert manifest["missing"] == 8
    assert (run_dir / "teacher" / "rationales.jsonl").read_text() == ""
    with sqlite3.connect(run_dir / "teacher" / "cache.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 8
    assert cache_rows(run_dir) == []


def test_wrong_key_stops_at_once(fault_proxy, tmp_path, monkeypatch):
    proxy = fault_proxy(rate=0.0)
    monkeypatch.setenv(KEY_ENV, "sk-wrong-key-123")
    run_dir = write_run(tmp_path / "run", arithmetic_examples(20))
    with pytest.raises(TeacherError, match="refused the API key") as err:
        stage.run(TeacherConfig(**http_teacher(proxy.url)), run_dir)
    assert KEY_ENV in err.value.hint
    assert "sk-wrong-key-123" not in str(err.value)
    assert proxy.forwarded == 1  # the /models check, not a retry storm


def test_unreachable_server_fails_before_any_work(tmp_path):
    run_dir = write_run(tmp_path / "run", arithmetic_examples(4))
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(TeacherError, match="cannot reach the teacher server") as err:
        stage.run(TeacherConfig(**http_teacher(url)), run_dir)
    assert err.value.where == url
    assert cache_rows(run_dir) == []
    assert not (run_dir / "teacher" / "rationales.jsonl").exists()

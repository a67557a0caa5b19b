"""Killed twice with kill -9 while ~20 % of requests meet faults, `skintern teach` still ends with
every request answered exactly once in the cache and the same outputs as a clean run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import yaml
from teacher_fixtures import API_KEY, KEY_ENV, arithmetic_examples, http_teacher, write_run

from skintern.teacher import stage
from skintern.teacher.config import TeacherConfig

N_EXAMPLES = 50  # x 2 samples + 2 task-level knowledge requests = 102 real generations


def answered(run_dir) -> int:
    path = run_dir / "teacher" / "cache.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def rows(run_dir) -> dict[str, str]:
    with sqlite3.connect(run_dir / "teacher" / "cache.sqlite") as conn:
        found = conn.execute("SELECT key, text FROM responses").fetchall()
    assert len(found) == len({key for key, _ in found})
    return dict(found)


def teach(config, run_dir) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "skintern", "teach", "--config", str(config)]
    env = {**os.environ, KEY_ENV: API_KEY}
    return subprocess.Popen(
        [*cmd, "--run-dir", str(run_dir)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def kill_when(proc, run_dir, at_least: int, deadline_s: float = 120) -> str:
    deadline = time.monotonic() + deadline_s
    while answered(run_dir) < at_least:
        assert proc.poll() is None, f"finished before the kill: {proc.stdout.read()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.stdout.read()


def test_kill_twice_with_faults_equals_a_clean_run(llama_server, fault_proxy, tmp_path):
    examples = arithmetic_examples(N_EXAMPLES)
    clean_dir = write_run(tmp_path / "clean", examples)
    clean = stage.run(TeacherConfig(**http_teacher(llama_server)), clean_dir)
    total = clean["requests"]["total"]
    assert clean["requests"]["completed"] == total == 2 * N_EXAMPLES + 2

    proxy = fault_proxy(rate=0.2, seed=3)
    run_dir = write_run(tmp_path / "faulty", examples)
    config = tmp_path / "faulty.yaml"
    config.write_text(yaml.safe_dump({"name": "faulty", "teacher": http_teacher(proxy.url)}))
    logs = [kill_when(teach(config, run_dir), run_dir, total // 4)]
    first = answered(run_dir)
    logs.append(kill_when(teach(config, run_dir), run_dir, first + total // 3))
    second = answered(run_dir)
    last = teach(config, run_dir)
    logs.append(last.communicate(timeout=300)[0])
    assert last.returncode == 0, logs[-1]

    assert sum(proxy.injected.values()) >= 0.1 * total
    resumed = json.loads((run_dir / "teacher" / "manifest.json").read_text())["requests"]
    assert (resumed["cache_hits"], resumed["sent"]) == (second, total - second)
    assert rows(run_dir) == rows(clean_dir)  # each request answered once, with the same text
    manifest = stage.run(TeacherConfig(**http_teacher(proxy.url)), run_dir)
    assert manifest["requests"]["cache_hits"] == total
    for name in ("rationales.jsonl", "knowledge.jsonl"):
        a, b = run_dir / "teacher" / name, clean_dir / "teacher" / name
        assert a.exists() == b.exists()
        if a.exists():
            assert a.read_bytes() == b.read_bytes()
    assert first < second < total
    assert all(API_KEY not in log for log in logs)

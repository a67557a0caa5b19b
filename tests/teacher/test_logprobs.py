"""Teacher logprobs (`teacher.rationales.logprobs: K`) against the real llama.cpp server: asked
for, cached beside the text, written to RUN/teacher/logprobs.jsonl aligned with the kept
rationales, never asked again, and the same after a kill -9 and a resume."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from teacher_fixtures import arithmetic_examples, free_port, http_teacher, write_run
from test_kill import answered, kill_when, teach

from skintern.errors import TeacherError
from skintern.records import RationaleTokens, TokenLogprob, read_records
from skintern.teacher import stage
from skintern.teacher.backends.base import Completion, Sampling
from skintern.teacher.cache import Cache, request_key
from skintern.teacher.config import TeacherConfig
from skintern.teacher.outputs import align_tokens

K = 3


def kd_teacher(base_url: str, **overrides: object) -> dict:
    """One sample per question, K logprobs, no knowledge: only what std-cot-kd needs."""
    rationales = {"samples": 1, "max_tokens": 14, "logprobs": K, "temperature": 0.0}
    rationales.update(overrides.pop("rationales", {}))  # type: ignore[call-overload]
    return http_teacher(
        base_url,
        tokenizer="smollm2-135m",
        rationales=rationales,
        knowledge={"source": "none"},
        **overrides,
    )


def logprob_rows(run_dir) -> dict[str, list]:
    with sqlite3.connect(run_dir / "teacher" / "cache.sqlite") as conn:
        rows = conn.execute("SELECT key, text, logprobs FROM responses").fetchall()
    return {key: [text, json.loads(blob)] for key, text, blob in rows}


def test_logprobs_are_asked_cached_and_aligned(llama_server, tmp_path):
    # greedy SmolLM2 writes "Let's think step by step.\n\nThe answer is 6" for 2 + 4: kept
    run_dir = write_run(tmp_path / "run", arithmetic_examples(12)[6:10])
    manifest = stage.run(TeacherConfig(**kd_teacher(llama_server)), run_dir)
    assert manifest["requests"]["completed"] == 4
    rows = logprob_rows(run_dir)
    for text, tokens in rows.values():
        assert 0 < len(tokens) <= 14
        assert "".join(t[0] for t in tokens) == text  # ASCII arithmetic: no split characters
        for token, logprob, top in tokens:
            assert logprob <= 0 and 1 <= len(top) <= K + 1  # llama.cpp adds the chosen token
            assert token in [t for t, _ in top]
            assert [lp for _, lp in top] == sorted((lp for _, lp in top), reverse=True)
    kept = (run_dir / "teacher" / "rationales.jsonl").read_text().splitlines()
    soft = read_records(run_dir / "teacher" / "logprobs.jsonl", RationaleTokens)
    assert len(soft) == len(kept) == manifest["rationales"]["written"] >= 1
    for line, tokens in zip(kept, soft, strict=True):
        rationale = json.loads(line)
        assert (tokens.id, tokens.sample) == (rationale["id"], rationale["sample"])
        assert rationale["text"].strip().startswith(tokens.text)
    assert manifest["rationales"]["logprobs"]["top_k"] == K

    # cached: a second run needs no server and writes the same soft targets
    before = (run_dir / "teacher" / "logprobs.jsonl").read_bytes()
    dead = kd_teacher(f"http://127.0.0.1:{free_port()}/v1")
    again = stage.run(TeacherConfig(**dead), run_dir)
    assert (again["requests"]["cache_hits"], again["requests"]["sent"]) == (4, 0)
    assert (run_dir / "teacher" / "logprobs.jsonl").read_bytes() == before

    # text-only asks again (its key differs), and drops the stale soft targets
    text_only = kd_teacher(llama_server, rationales={"logprobs": 0})
    plain = stage.run(TeacherConfig(**text_only), run_dir)
    assert plain["requests"]["sent"] == 4
    assert not (run_dir / "teacher" / "logprobs.jsonl").exists()


def test_logprobs_survive_a_kill_and_resume(llama_server, tmp_path):
    examples = arithmetic_examples(12)
    clean_dir = write_run(tmp_path / "clean", examples)
    stage.run(TeacherConfig(**kd_teacher(llama_server)), clean_dir)
    run_dir = write_run(tmp_path / "killed", examples)
    config = tmp_path / "kd.yaml"
    config.write_text(yaml.safe_dump({"name": "kd", "teacher": kd_teacher(llama_server)}))
    kill_when(teach(config, run_dir), run_dir, 4)
    first = answered(run_dir)
    last = teach(config, run_dir)
    log = last.communicate(timeout=300)[0]
    assert last.returncode == 0, log
    resumed = json.loads((run_dir / "teacher" / "manifest.json").read_text())["requests"]
    assert (resumed["cache_hits"], resumed["sent"]) == (first, 12 - first)
    assert logprob_rows(run_dir) == logprob_rows(clean_dir)
    name = "logprobs.jsonl"
    assert (run_dir / "teacher" / name).read_bytes() == (clean_dir / "teacher" / name).read_bytes()


class _TextOnly(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that ignores `logprobs`."""

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(b'{"data": []}')

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(b'{"choices": [{"message": {"content": "4"}, "finish_reason": "stop"}]}')


def test_a_server_without_logprobs_stops_the_run(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TextOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    run_dir = write_run(tmp_path / "run", arithmetic_examples(4))
    try:
        with pytest.raises(TeacherError, match="without the logprobs") as err:
            stage.run(TeacherConfig(**kd_teacher(url)), run_dir)
    finally:
        server.shutdown()
        server.server_close()
    assert "teacher.rationales.logprobs=0" in err.value.hint
    assert err.value.where == url


def test_a_cache_from_before_logprobs_keeps_its_text_only_answers(tmp_path):
    path = tmp_path / "cache.sqlite"
    with sqlite3.connect(path) as conn:  # the schema before the logprobs column
        conn.execute(
            "CREATE TABLE responses (key TEXT PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT "
            "NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, "
            "finish_reason TEXT NOT NULL, attempts INTEGER NOT NULL, created REAL NOT NULL)"
        )
        conn.execute("INSERT INTO responses VALUES ('old', 'rationale', 'hi', 3, 1, '', 1, 0)")
    cache = Cache(path)
    cache.put(
        "rationale", [Completion("new", "yo", 1, 1, logprobs=(TokenLogprob("yo", -0.1, ()),))]
    )
    found = cache.get_many(["old", "new"])
    cache.close()
    assert (found["old"].text, found["old"].logprobs) == ("hi", None)
    assert found["new"].logprobs == (TokenLogprob("yo", -0.1, ()),)
    # a text-only request keeps the key it had before logprobs existed; K enters the key
    plain = {"temperature": 0.8, "top_p": 1.0, "max_tokens": 16, "seed": 0, "stop": []}
    assert Sampling(0.8, 1.0, 16, 0).to_dict() == plain
    assert request_key("m", "p", Sampling(0.8, 1.0, 16, 0, (), 5).to_dict()) != request_key(
        "m", "p", plain
    )


def test_align_tokens_stops_where_the_normalisation_rewrote():
    def toks(*pieces: str) -> list[TokenLogprob]:
        return [TokenLogprob(p, -1.0, ((p, -1.0),)) for p in pieces]

    text = "2 plus 3 is 5. Therefore, the answer is 5."  # the teacher wrote "So the answer is 5"
    raw = toks("\n", "2", " plus", " 3", " is", " 5", ".", " So", " the", " answer")
    assert [t.token for t in align_tokens(raw, text)] == ["2", " plus", " 3", " is", " 5", "."]
    assert align_tokens(toks("", "2"), "2") == ()  # an undecodable piece ends the run
    assert align_tokens(toks("Yes"), "No. Therefore, the answer is No.") == ()


def local_teacher(**rationales: object) -> dict:
    """`kd_teacher`'s request, answered in process by SmolLM2 (`teacher.backend: transformers`)."""
    section = {"samples": 1, "max_tokens": 14, "logprobs": K, "temperature": 0.0, **rationales}
    return {
        "backend": "transformers",
        "model": "smollm2-135m",
        "rationales": section,
        "knowledge": {"source": "none"},
        "local": {"device": "cpu", "dtype": "float32", "batch_size": 4},
        "progress": False,
    }


def test_a_local_teacher_writes_the_records_the_server_does(llama_server, tmp_path):
    examples = arithmetic_examples(12)[6:10]
    served, local = (
        write_run(tmp_path / "served", examples),
        write_run(tmp_path / "local", examples),
    )
    stage.run(TeacherConfig(**kd_teacher(llama_server)), served)
    manifest = stage.run(TeacherConfig(**local_teacher()), local)
    assert manifest["rationales"]["logprobs"]["top_k"] == K
    name = "teacher/logprobs.jsonl"
    ours = read_records(local / name, RationaleTokens)
    theirs = read_records(served / name, RationaleTokens)
    assert len(ours) == len(theirs) >= 1
    # Same model, same prompt through the same chat template: the same greedy tokens. The values
    # differ by the server's quantized arithmetic (Q4_1 weights times Q8-quantized activations;
    # we compute the dequantized weights in fp32): measured at most 0.06 nats on these tokens,
    # hence 0.15.
    for mine, server in zip(ours, theirs, strict=True):
        assert (mine.id, mine.text) == (server.id, server.text)
        assert [t.token for t in mine.tokens] == [t.token for t in server.tokens]
        for a, b in zip(mine.tokens, server.tokens, strict=True):
            assert a.logprob == pytest.approx(b.logprob, abs=0.15)
            assert a.top[0][0] == a.token == b.top[0][0]  # greedy: the argmax on both sides
            assert len(a.top) == K
    # cached with the text: a rerun loads no model and writes the same file
    before = (local / name).read_bytes()
    again = stage.run(TeacherConfig(**local_teacher()), local)
    assert (again["requests"]["cache_hits"], again["requests"]["sent"]) == (4, 0)
    assert (local / name).read_bytes() == before

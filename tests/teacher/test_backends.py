"""Backend pieces that need no server: retry timing, response parsing, registry, vLLM message."""

import random
import time

import pytest

from skintern.errors import TeacherError
from skintern.teacher.backends import backends
from skintern.teacher.backends.base import Request, Sampling, local_groups
from skintern.teacher.backends.openai_http import (
    OpenAIHttpBackend,
    backoff_delay,
    parse_body,
    read_api_key,
    retry_after_seconds,
)
from skintern.teacher.config import TeacherConfig


def test_registry_holds_every_backend():
    assert backends.names() == ["gold", "openai-http", "replay", "transformers", "vllm"]
    for name in backends.names():
        cls = backends.get(name)
        assert cls.name == name
        assert name.split("-")[0] in cls.identity(TeacherConfig(model="m"))


def test_retry_after_forms():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 < retry_after_seconds(future) <= 31


def test_backoff_grows_and_is_capped():
    rng = random.Random(0)
    delays = [max(backoff_delay(a, 1.0, 8.0, rng) for _ in range(200)) for a in range(6)]
    assert delays[0] <= 1.0 < delays[2] <= 4.0 < delays[3]
    assert all(d <= 8.0 for d in delays)


def test_parse_body_chat_and_completions():
    chat = {"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1}}  # fmt: skip
    assert parse_body(chat, "chat") == ("hi", 5, 1, "stop")
    assert parse_body({"choices": [{"text": "yo"}]}, "completions") == ("yo", 0, 0, "")
    for bad in ({}, {"choices": []}, {"choices": [{"message": {"content": None}}]}):
        with pytest.raises((KeyError, IndexError, TypeError)):
            parse_body(bad, "chat")


def test_missing_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(TeacherError, match="NO_SUCH_KEY_VAR is not set"):
        read_api_key("NO_SUCH_KEY_VAR")
    assert read_api_key(None) is None


def test_request_body_has_sampling_and_messages():
    cfg = TeacherConfig(model="m", http={"api_key_env": None, "system_prompt": "Be brief."})
    backend = OpenAIHttpBackend(cfg)
    request = Request("k", "rationale", "Q?", Sampling(0.8, 1.0, 16, 3))
    body = backend.body(request)
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q?"},
    ]
    assert (body["model"], body["seed"], body["max_tokens"], "stop" in body) == ("m", 3, 16, False)
    backend.close()


def test_vllm_missing_names_the_extra():
    try:
        import vllm  # noqa: F401

        pytest.skip("vllm is installed here")
    except ImportError:
        pass
    backend = backends.get("vllm")(TeacherConfig(backend="vllm", model="m"), None)
    with pytest.raises(TeacherError, match="vllm") as err:
        backend.check()
    assert "skintern[vllm]" in err.value.hint


def test_local_groups_share_sampling_but_the_seed():
    reqs = [Request(str(i), "rationale", "p", Sampling(0.8, 1.0, 8 + i % 2, i)) for i in range(5)]
    found = list(local_groups(reqs, 4))
    assert [[r.key for r in g] for g, _, _ in found] == [["0", "2", "4"], ["1", "3"]]
    assert [seeds for _, _, seeds in found] == [[0, 2, 4], [1, 3]]
    assert [d.max_new_tokens for _, d, _ in found] == [8, 9]
    assert all(d.do_sample and d.top_k == 0 and d.batch_size == 4 for _, d, _ in found)

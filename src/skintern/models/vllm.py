"""vLLM in-process generation (GPU, `pip install 'skintern[vllm]'`), shared by the evaluator's and
the teacher's `vllm` backends.

Prompts go through `skintern.models.chat.format_prompt` and are handed to vLLM as token ids, as
the transformers path (`skintern.models.generate`) does, so both paths see the same model input;
the outputs are the same `Generation`s. vLLM is imported only here, when a backend asks for it.
vLLM has no per-token stopping hook here: the final-answer stop is applied afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from skintern.errors import ModelError, SkinternError
from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding
from skintern.models.generate import Generation, truncate_at_stop


def import_vllm(where: str, instead: str, error: type[SkinternError] = ModelError) -> Any:
    """The `vllm` module, or `error` at `where` naming the extra (or `instead`, another way)."""
    try:
        import vllm
    except ImportError:
        raise error(
            f"{where} is vllm, but vllm is not installed",
            where=where,
            hint=f"pip install 'skintern[vllm]' on a CUDA GPU machine, or {instead}",
        ) from None
    return vllm


def sampling_params(vllm: Any, decoding: Decoding, seed: int | None = None) -> Any:
    """`vllm.SamplingParams` for `decoding` (greedy: temperature 0), seeded with `seed`."""
    sample = decoding.do_sample
    return vllm.SamplingParams(
        max_tokens=decoding.max_new_tokens,
        temperature=decoding.temperature if sample else 0.0,
        top_p=decoding.top_p if sample else 1.0,
        top_k=decoding.top_k if sample and decoding.top_k else -1,
        stop=list(decoding.stop),
        seed=decoding.seed if seed is None else seed,
    )


def generate_vllm(  # noqa: PLR0913
    llm: Any,
    prompts: Sequence[str],
    decoding: Decoding,
    leads: Sequence[str] = (),
    seeds: Sequence[int] | None = None,
    lora: Any = None,
) -> list[Generation]:
    """One `Generation` per plain prompt, in order; `leads` and `seeds` as in `generate`."""
    import vllm  # installed: `llm` is a vLLM model

    tokenizer = llm.get_tokenizer()
    ids = [tokenizer(format_prompt(tokenizer, p), add_special_tokens=False)["input_ids"]
           for p in prompts]  # fmt: skip
    params: Any = sampling_params(vllm, decoding)
    if seeds is not None:
        params = [sampling_params(vllm, decoding, seed) for seed in seeds]
    started = time.perf_counter()
    outs = llm.generate(
        [{"prompt_token_ids": x} for x in ids], params, lora_request=lora, use_tqdm=False
    )
    latency = (time.perf_counter() - started) / max(len(prompts), 1)
    leads = list(leads) or [""] * len(prompts)
    return [
        _generation(out, lead, decoding, latency) for out, lead in zip(outs, leads, strict=True)
    ]


def _generation(out: Any, lead: str, decoding: Decoding, latency: float) -> Generation:
    """A vLLM `RequestOutput` as a `Generation`, cut at the final answer or a stop string."""
    done = out.outputs[0]
    text, why = truncate_at_stop(lead + done.text, decoding.stop, decoding.stop_at_answer)
    finish = why or ("length" if done.finish_reason == "length" else "eos")
    return Generation(
        text[len(lead) :].strip(), len(out.prompt_token_ids), len(done.token_ids), latency, finish
    )

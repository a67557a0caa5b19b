"""Batched generation: equals one-by-one and plain `model.generate`; stops; counts tokens;
seeded sampling is reproducible and independent of the batch."""

import pytest
import torch
from transformers import LlamaForCausalLM

from skintern.models import load_model
from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding as Sampling
from skintern.models.generate import generate, length_sorted_batches, truncate_at_stop

PROMPTS = [
    "Question: Is 7 prime?\nAnswer: Let's think step by step.",
    "Hi",
    "Question: Alice has three apples and gives one to Bob, who already had four. How many "
    "apples does Bob have now? Options: (A) 4 (B) 5 (C) 6\nAnswer:",
    "Sort the words: pear apple fig",
    "Question: Today is Monday. What day is it in three days?\nAnswer:",
]


@pytest.fixture(scope="module")
def tiny():
    """tiny-random re-initialised with larger weights: its greedy text varies from token to
    token (the stock one repeats a newline, which would make these tests pass vacuously)."""
    lm = load_model("tiny-random", dtype="float32")
    config = lm.model.config
    config.initializer_range = 0.1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        lm.model = LlamaForCausalLM(config).eval()
    return lm


def run(lm, prompts, seeds=None, **kwargs):
    sampling = Sampling(**{"max_new_tokens": 12, "stop_at_answer": False, **kwargs})
    texts = [format_prompt(lm.tokenizer, p) for p in prompts]
    out = [None] * len(texts)
    for batch, gens in generate(lm.model, lm.tokenizer, texts, sampling, seeds=seeds):
        for i, gen in zip(batch, gens, strict=True):
            out[i] = gen
    return out


def test_batched_greedy_equals_one_by_one_and_plain_generate(tiny):
    batched = run(tiny, PROMPTS, batch_size=5)
    single = run(tiny, PROMPTS, batch_size=1)
    assert len({g.text for g in batched}) == len(PROMPTS), "outputs should differ per prompt"
    assert [g.text for g in batched] == [g.text for g in single]
    assert [g.generated_tokens for g in batched] == [g.generated_tokens for g in single]
    # the hand-written loop: one unpadded prompt at a time
    tok = tiny.tokenizer
    for prompt, gen in zip(PROMPTS, batched, strict=True):
        ids = tok(format_prompt(tok, prompt), add_special_tokens=False, return_tensors="pt")
        with torch.inference_mode():
            out = tiny.model.generate(**ids, max_new_tokens=12, do_sample=False)
        plain = tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
        assert gen.text == plain.strip()
        assert gen.prompt_tokens == ids["input_ids"].shape[1]


def test_max_new_tokens_caps_an_endless_output(tiny):
    gens = run(tiny, PROMPTS[:2], max_new_tokens=7)
    for gen in gens:
        assert gen.generated_tokens <= 7
        if gen.finish == "length":
            assert gen.generated_tokens == 7


def test_stop_string_ends_generation_early(tiny):
    free = run(tiny, PROMPTS[:1], max_new_tokens=20)[0]
    assert free.finish == "length", "pick a prompt the random model does not end"
    # stop at a piece of what it generates freely: the output is cut before it, fewer tokens
    piece = free.text[len(free.text) // 2 :][:4]
    stopped = run(tiny, PROMPTS[:1], max_new_tokens=20, stop=(piece,))[0]
    assert stopped.finish == "stop"
    assert piece not in stopped.text
    assert free.text.startswith(stopped.text)
    assert stopped.generated_tokens < free.generated_tokens


def test_truncate_at_the_completed_final_answer():
    text = "Two plus two. Therefore, the answer is 1.5. And then more text"
    assert truncate_at_stop(text, (), True) == (
        "Two plus two. Therefore, the answer is 1.5.",
        "answer",
    )
    # not complete yet: "1." may go on as "1.5"
    assert truncate_at_stop("Therefore, the answer is 1.", (), True) == (
        "Therefore, the answer is 1.",
        None,
    )
    assert truncate_at_stop("Therefore, the answer is (B)\nQ: next", (), True)[1] == "answer"
    assert truncate_at_stop("So (A). Q: x", ("Q:",), True) == ("So (A). ", "stop")
    assert truncate_at_stop("anything", (), False) == ("anything", None)


def test_batches_are_sorted_by_length_longest_first():
    batches = length_sorted_batches([3, 9, 1, 9, 5], batch_size=2)
    assert batches == [[1, 3], [4, 0], [2]]


def test_finished_rows_make_room_for_waiting_prompts_without_changing_any_output(tiny):
    from skintern.models.decode import Decoder

    tok = tiny.tokenizer
    prompts = [tok(format_prompt(tok, p), add_special_tokens=False)["input_ids"] for p in PROMPTS]
    sampling = Sampling(max_new_tokens=10, batch_size=2)
    seen_batch_sizes: list[int] = []
    hook = tiny.model.register_forward_pre_hook(
        lambda _, args, kwargs: seen_batch_sizes.append(kwargs["input_ids"].shape[0]),
        with_kwargs=True,
    )
    try:
        with torch.inference_mode():
            alone = [Decoder(tiny.model, 0, sampling, set(), lambda r, t: False).run([p])[0].tokens
                     for p in prompts]  # fmt: skip
            seen_batch_sizes.clear()
            early = [d.tokens for d in Decoder(
                tiny.model,
                0,
                sampling,
                set(),
                lambda row, tokens: row in (0, 3) and len(tokens) == 2,
            ).run(prompts)]  # fmt: skip
    finally:
        hook.remove()
    assert [len(t) for t in early] == [2, 10, 10, 2, 10]
    assert early[0] == alone[0][:2] and early[3] == alone[3][:2]
    assert [early[i] for i in (1, 2, 4)] == [alone[i] for i in (1, 2, 4)]
    # never more than 2 rows; prompt 2 was prefilled alone when prompt 0 finished
    assert max(seen_batch_sizes) == 2 and 1 in seen_batch_sizes


def test_seeded_sampling_is_reproducible_and_seeds_differ(tiny):
    kwargs = {"do_sample": True, "temperature": 1.5, "top_k": 0, "max_new_tokens": 8}
    first = run(tiny, PROMPTS[:1] * 4, seeds=[0, 1, 2, 3], **kwargs)
    again = run(tiny, PROMPTS[:1] * 4, seeds=[0, 1, 2, 3], **kwargs)
    assert [g.text for g in first] == [g.text for g in again]
    assert len({g.text for g in first}) > 1, "samples with other seeds should differ"


def test_a_sampled_row_does_not_depend_on_its_batch(tiny):
    kwargs = {"do_sample": True, "temperature": 1.5, "top_p": 0.9, "max_new_tokens": 8}
    batched = run(tiny, PROMPTS, batch_size=5, seeds=range(5), **kwargs)
    single = [run(tiny, [p], batch_size=1, seeds=[i], **kwargs)[0] for i, p in enumerate(PROMPTS)]
    assert [g.text for g in batched] == [g.text for g in single]


def teacher_forced(lm, prompt: str, new_ids: list[int]) -> torch.Tensor:
    """Log-softmax at each generated position of one unbatched forward pass over prompt + ids."""
    tok = lm.tokenizer
    ids = tok(format_prompt(tok, prompt), add_special_tokens=False)["input_ids"] + new_ids
    with torch.no_grad():
        logits = lm.model(input_ids=torch.tensor([ids])).logits[0].float()
    return torch.log_softmax(logits[-len(new_ids) - 1 : -1], dim=-1)


@pytest.mark.parametrize("sampled", [False, True], ids=["greedy", "sampled"])
def test_logprobs_are_the_models_own_distribution_at_each_generated_token(tiny, sampled):
    k = 4
    # batched (rows join and leave), and sampled at T = 0.7: the scores are still the model's
    # T = 1 distribution, not the warped one the token was drawn from
    kwargs = {"do_sample": True, "temperature": 0.7, "top_k": 0} if sampled else {}
    gens = run(tiny, PROMPTS, batch_size=2, logprobs=k, seeds=[0, 1, 2, 3, 4], **kwargs)
    for prompt, gen in zip(PROMPTS, gens, strict=True):
        ids = [s.id for s in gen.scores]
        assert len(ids) == gen.generated_tokens - (gen.finish == "eos")
        reference = teacher_forced(tiny, prompt, ids)
        for score, row in zip(gen.scores, reference, strict=True):
            assert score.logprob == pytest.approx(row[score.id].item(), abs=1e-4)
            top = row.topk(k)
            assert [i for i, _ in score.top] == top.indices.tolist()
            assert [lp for _, lp in score.top] == pytest.approx(top.values.tolist(), abs=1e-4)
            if not sampled:
                assert score.top[0][0] == score.id
        assert tiny.tokenizer.decode(ids, skip_special_tokens=True).strip() == gen.text
    assert run(tiny, PROMPTS[:1])[0].scores is None  # not asked for: none kept

"""The `transformers` teacher backend generates through the evaluator's code
(`skintern.models.generate`): same greedy text; seeded samples reproducible and distinct."""

import pytest
import torch
from transformers import LlamaForCausalLM

from skintern.eval.backend import TransformersBackend as EvalBackend
from skintern.models import generate as shared
from skintern.models import load_model
from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding
from skintern.models.vocab import token_texts
from skintern.teacher.backends import Request, Sampling, backends
from skintern.teacher.config import TeacherConfig

PROMPTS = ["Question: Is 7 prime?\nAnswer: Let's think step by step.", "Sort: pear apple fig"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """tiny-random with larger weights (its greedy text varies), saved as a model folder."""
    lm = load_model("tiny-random", dtype="float32")
    lm.model.config.initializer_range = 0.1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = LlamaForCausalLM(lm.model.config).eval()
    path = tmp_path_factory.mktemp("teacher")
    model.save_pretrained(path)
    lm.tokenizer.save_pretrained(path)
    return path


def ask(folder, prompts, temperature, seeds, logprobs=0):
    """The backend's completions, in request order."""
    cfg = TeacherConfig(backend="transformers", model=str(folder))
    cfg.local.device, cfg.local.batch_size = "cpu", 3
    backend = backends.get("transformers")(cfg, None)
    requests = [
        Request(f"{i}", "rationale", p, Sampling(temperature, 1.0, 10, seed, (), logprobs))
        for i, (p, seed) in enumerate(zip(prompts, seeds, strict=True))
    ]
    got = {}
    backend.generate(requests, lambda c: got.setdefault(c.key, c))
    backend.close()
    return [got[r.key] for r in requests]


def test_teacher_and_evaluator_share_one_generation_function(folder, monkeypatch):
    calls = []
    real = shared.generate
    monkeypatch.setattr(shared, "generate", lambda *a, **k: calls.append(1) or real(*a, **k))
    teacher = ask(folder, PROMPTS, 0.0, [0, 0])
    lm = load_model(str(folder))
    decoding = Decoding(max_new_tokens=10, stop_at_answer=False)
    student = EvalBackend(lm.model, lm.tokenizer, decoding).generate(PROMPTS)
    assert len(calls) == 2, "both sides go through skintern.models.generate.generate"
    assert [c.text for c in teacher] == [g.text for g in student]
    assert len({c.text for c in teacher}) == len(PROMPTS), "outputs should differ per prompt"
    assert [c.completion_tokens for c in teacher] == [g.generated_tokens for g in student]
    assert [c.prompt_tokens for c in teacher] == [g.prompt_tokens for g in student]


def test_seeded_samples_are_reproducible_and_differ(folder):
    prompts, seeds = [PROMPTS[0]] * 4, [0, 1, 2, 3]
    first = [c.text for c in ask(folder, prompts, 1.0, seeds)]
    assert first == [c.text for c in ask(folder, prompts, 1.0, seeds)]
    assert len(set(first)) > 1, "sample j is seeded with seed + j: samples should differ"
    # a sample depends on its own prompt and seed, not on the requests decoded beside it
    assert ask(folder, prompts[1:2], 1.0, seeds[1:2])[0].text == first[1]


def test_logprobs_come_as_a_servers_do_token_text_and_top_k(folder):
    """The backend hands on the shared loop's scores (tested against a teacher-forced pass in
    tests/models/test_generate.py) as text, the records an OpenAI-compatible server returns."""
    k = 3
    got = ask(folder, PROMPTS, 0.0, [0, 0], logprobs=k)
    lm = load_model(str(folder))
    decoding = Decoding(max_new_tokens=10, stop_at_answer=False, top_k=0, logprobs=k)
    texts = [format_prompt(lm.tokenizer, p) for p in PROMPTS]
    direct = shared.generate_all(lm.model, lm.tokenizer, texts, decoding)
    words = token_texts(lm.tokenizer)
    for completion, gen in zip(got, direct, strict=True):
        assert completion.text == gen.text
        tokens = completion.logprobs
        assert tokens, "asked for logprobs: every completion has some"
        scores = gen.scores[: len(tokens)]
        assert [t.token for t in tokens] == [words[s.id] for s in scores]
        assert [t.logprob for t in tokens] == [s.logprob for s in scores]
        for token, score in zip(tokens, scores, strict=True):
            assert token.top == tuple((words[i], lp) for i, lp in score.top if i in words)
            assert token.top[0][0] == token.token  # greedy: the chosen token is the argmax
    assert ask(folder, PROMPTS, 0.0, [0, 0])[0].logprobs is None

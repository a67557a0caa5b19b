"""Teacher-forced scoring (`teacher.rationales.score_with`): a local model's top-K at every token of
the kept rationales, whatever backend wrote them (here `gold`), under the student's question
prompt; cached, so a rerun loads no model and an interrupted run scores only what it lacks."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch
from pydantic import ValidationError
from teacher_fixtures import arithmetic_examples, write_run

from skintern.data.prompt import question_prompt
from skintern.models import load_model
from skintern.models.chat import format_prompt
from skintern.models.vocab import token_texts
from skintern.records import Rationale, RationaleTokens, read_records
from skintern.teacher import scoring, stage
from skintern.teacher.config import TeacherConfig, teacher_tokenizer

K = 3
SCORER = "tiny-random"


def gold_examples(n: int):
    """Arithmetic questions with a gold rationale each (the `gold` backend answers with it)."""
    return [
        replace(e, meta={**e.meta, "rationale": f"We read: {e.question} Therefore, the answer is "
                         f"{e.answer}."})
        for e in arithmetic_examples(n)
    ]  # fmt: skip


def scored_teacher(**rationales: object) -> TeacherConfig:
    section = {"samples": 1, "logprobs": K, "score_with": SCORER, **rationales}
    return TeacherConfig(
        backend="gold",
        rationales=section,
        knowledge={"source": "none"},
        local={"batch_size": 2, "dtype": "float32"},
        progress=False,
    )


def run_dir_of(tmp_path, n: int = 5):
    return write_run(tmp_path / "run", gold_examples(n))


def reference_logprobs(lm, example, target: str) -> tuple[list[int], torch.Tensor]:
    """(target ids, log-softmax at each target position) of one unbatched forward pass."""
    tok = lm.tokenizer
    prompt = tok(format_prompt(tok, question_prompt(example)), add_special_tokens=False)
    target_ids = tok(target, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt["input_ids"] + target_ids])
    with torch.no_grad():
        logits = lm.model(input_ids=ids).logits[0].float()
    n = len(target_ids)
    return target_ids, torch.log_softmax(logits[-n - 1 : -1], dim=-1)


def test_records_are_the_scorers_teacher_forced_top_k(tmp_path):
    run_dir = run_dir_of(tmp_path)
    manifest = stage.run(scored_teacher(), run_dir)
    kept = read_records(run_dir / "teacher" / "rationales.jsonl", Rationale)
    soft = read_records(run_dir / "teacher" / "logprobs.jsonl", RationaleTokens)
    assert len(kept) == len(soft) == 5
    lm = load_model(SCORER, dtype="float32")
    texts = token_texts(lm.tokenizer)
    id_of = {text: token_id for token_id, text in texts.items()}
    examples = {e.id: e for e in gold_examples(5)}
    for rationale, tokens in zip(kept, soft, strict=True):
        assert (tokens.id, tokens.sample) == (rationale.id, rationale.sample)
        assert tokens.text == rationale.text  # ASCII: every token, the whole text
        target_ids, ref = reference_logprobs(lm, examples[rationale.id], rationale.text)
        assert [texts[i] for i in target_ids] == [t.token for t in tokens.tokens]
        for position, token in enumerate(tokens.tokens):
            row = ref[position]
            assert len(token.top) == K
            best_text, best_lp = token.top[0]
            assert best_lp == pytest.approx(float(row.max()), abs=1e-4)
            # the top-1 is the argmax (or ties it within float noise of batching)
            assert float(row[id_of[best_text]]) == pytest.approx(float(row.max()), abs=1e-4)
            assert token.logprob == pytest.approx(float(row[target_ids[position]]), abs=1e-4)
            assert [lp for _, lp in token.top] == sorted((lp for _, lp in token.top), reverse=True)
    info = manifest["scoring"]
    assert (info["model"], info["top_k"], info["rationales"], info["scored"]) == (SCORER, K, 5, 5)
    assert manifest["rationales"]["logprobs"]["tokenizer"] == SCORER  # checked against the student
    assert manifest["rationales"]["logprobs"]["tokens"] == sum(len(t.tokens) for t in soft)


class _Refuses:
    def __init__(self, cfg: TeacherConfig) -> None:
        raise AssertionError("a rerun with unchanged inputs must not load the scoring model")


def test_a_rerun_does_not_rescore_and_an_interrupted_one_resumes(tmp_path, monkeypatch):
    run_dir = run_dir_of(tmp_path)
    real_score = scoring.Scorer.score
    calls = []

    def interrupted(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second batch of 2 is scored
        return real_score(self, batch)

    monkeypatch.setattr(scoring.Scorer, "score", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stage.run(scored_teacher(), run_dir)
    assert not (run_dir / "teacher" / "logprobs.jsonl").exists()  # nothing half-written
    monkeypatch.setattr(scoring.Scorer, "score", real_score)
    resumed = stage.run(scored_teacher(), run_dir)["scoring"]
    assert (resumed["cache_hits"], resumed["scored"]) == (2, 3)  # the first batch was kept
    path = run_dir / "teacher" / "logprobs.jsonl"
    first = path.read_bytes()

    monkeypatch.setattr(scoring, "Scorer", _Refuses)
    again = stage.run(scored_teacher(), run_dir)
    assert (again["scoring"]["cache_hits"], again["scoring"]["scored"]) == (5, 0)
    assert path.read_bytes() == first

    fresh = write_run(tmp_path / "fresh", gold_examples(5))
    monkeypatch.undo()
    stage.run(scored_teacher(), fresh)  # uninterrupted: the same records
    assert (fresh / "teacher" / "logprobs.jsonl").read_bytes() == first


def test_scoring_config_names_the_keys():
    with pytest.raises(ValidationError, match="teacher.rationales.logprobs"):
        TeacherConfig(backend="gold", rationales={"score_with": SCORER})
    with pytest.raises(ValidationError, match="teacher.rationales.score_with"):
        TeacherConfig(
            backend="replay", rationales={"samples": 1, "logprobs": 5}, knowledge={"source": "none"}
        )
    cfg = TeacherConfig(
        backend="replay",
        tokenizer="smollm2-135m",
        rationales={"samples": 1, "logprobs": 5, "score_with": SCORER},
        knowledge={"source": "none"},
    )
    assert json.loads(cfg.model_dump_json())["rationales"]["score_with"] == SCORER
    assert teacher_tokenizer(cfg) == SCORER  # the tokens are the scorer's: check_vocab reads it

"""Teacher-forced scoring (`teacher.rationales.score_with: MODEL`): soft targets for any rationale.

Whatever wrote the kept rationales (replayed code-davinci-002 outputs, the `gold` teacher of the
demo, a server), a local causal LM reads each one teacher-forced and keeps its top-K
(`teacher.rationales.logprobs`) log-probabilities at every rationale token: the same
`RationaleTokens` records `std-cot-kd` distils from a server's logprobs
(RUN/teacher/logprobs.jsonl).

What it reads: the question prompt the student is trained on (`skintern.data.prompt`, rendered
through the scoring model's chat template as the trainer does), then the rationale text
(whitespace-stripped, the student's target), each tokenized on its own with no special tokens,
as `skintern.train.encode` does. So the distribution is that of a teacher reading the question,
at exactly the tokens the student will be trained on (with the same tokenizer), not that of the
D.1 prompt a generating teacher was given. A token's text is its bytes as UTF-8; the record
stops at a token that is not valid UTF-8 on its own (part of a character), and an alternative
that is not is dropped (its mass falls into the loss's tail bucket).

Each scored rationale is committed to the teacher cache (kind `score`, keyed by model, dtype, K,
prompt, target and `SCORE_VERSION`), a batch at a time: a rerun with unchanged inputs loads no
model, and a killed run resumes with the batches it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skintern.data.example import Example
from skintern.data.prompt import question_prompt
from skintern.records import Rationale, RationaleTokens
from skintern.teacher.accounting import ProgressBar, Tally
from skintern.teacher.backends.base import Completion
from skintern.teacher.cache import Cache, request_key
from skintern.teacher.config import TeacherConfig
from skintern.teacher.outputs import align_tokens

SCORE_VERSION = "teacher-forced/1"


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One kept rationale to score: its cache key, the question prompt and the target text."""

    key: str
    rationale: Rationale
    prompt: str
    target: str


def score_items(
    cfg: TeacherConfig, examples: Sequence[Example], rationales: Sequence[Rationale]
) -> list[ScoreItem]:
    """One item per kept rationale (pure): question prompt, stripped text, cache key."""
    by_id = {example.id: example for example in examples}
    local = cfg.local
    params = {"top_k": cfg.rationales.logprobs, "dtype": local.dtype}
    items = []
    for rationale in rationales:
        prompt = question_prompt(by_id[rationale.id])
        target = rationale.text.strip()
        key = request_key(
            f"score:{cfg.rationales.score_with}",
            prompt,
            params,
            kind="score",
            target=target,
            version=SCORE_VERSION,
        )
        items.append(ScoreItem(key, rationale, prompt, target))
    return items


class Scorer:
    """`teacher.rationales.score_with` loaded once; `score` runs one batch with no gradient."""

    def __init__(self, cfg: TeacherConfig) -> None:
        from skintern.models import load_model, single_device
        from skintern.models.vocab import token_texts

        local = cfg.local
        self.top_k = cfg.rationales.logprobs
        self.lm = load_model(
            str(cfg.rationales.score_with),
            dtype=local.dtype,
            device=single_device(local.device),
            trust_remote_code=local.trust_remote_code,
        )
        self.texts = token_texts(self.lm.tokenizer)

    def encode(self, item: ScoreItem) -> tuple[list[int], list[int]]:
        """(prompt ids, target ids) as the trainer tokenizes a record."""
        from skintern.models.chat import format_prompt

        tok = self.lm.tokenizer
        prompt = tok(format_prompt(tok, item.prompt), add_special_tokens=False)["input_ids"]
        return list(prompt), list(tok(item.target, add_special_tokens=False)["input_ids"])

    def score(self, batch: Sequence[ScoreItem]) -> list[Completion]:
        """Each item's target tokens with their log-probability and top-K, as a `Completion`."""
        import torch

        rows = [self.encode(item) for item in batch]
        width = max(len(p) + len(t) for p, t in rows)
        keep = max(len(t) for _, t in rows)
        pad = self.lm.tokenizer.pad_token_id or 0
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, (prompt, target) in enumerate(rows):  # left-padded: every target ends the row
            ids[r, width - len(prompt) - len(target) :] = torch.tensor(prompt + target)
            mask[r, width - len(prompt) - len(target) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # as if each row were alone
        device = self.lm.model.device
        with torch.inference_mode():
            logits = self.lm.model(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                position_ids=positions.to(device),
                logits_to_keep=keep + 1,
            ).logits
            # kept position j predicts the token after it: the last `keep` targets of each row
            logprobs = torch.log_softmax(logits[:, :-1].float(), dim=-1).cpu()
        top = logprobs.topk(self.top_k, dim=-1)
        return [
            self._completion(item, len(prompt), target, logprobs[r], top.indices[r], top.values[r])
            for r, (item, (prompt, target)) in enumerate(zip(batch, rows, strict=True))
        ]

    def _completion(
        self, item: ScoreItem, n_prompt: int, target: list[int], row: Any, top_ids: Any, top: Any
    ) -> Completion:
        from skintern.models.decoding import TokenScore
        from skintern.models.vocab import token_logprobs

        start = row.shape[0] - len(target)  # this row's first target position in the kept slice
        chosen = row[start:].gather(-1, row.new_tensor(target).long()[:, None])[:, 0].tolist()
        scores = [
            TokenScore(token_id, logprob, tuple(zip(alt_ids, alt_lps, strict=True)))
            for token_id, logprob, alt_ids, alt_lps in zip(
                target, chosen, top_ids[start:].tolist(), top[start:].tolist(), strict=True
            )
        ]
        return Completion(
            item.key,
            item.target,
            n_prompt,
            len(target),
            "scored",
            logprobs=token_logprobs(self.texts, scores),
        )


@dataclass
class ScoreOutput:
    """The records, in rationale order, and what the scoring did (for the manifest)."""

    tokens: list[RationaleTokens]
    tally: Tally


def score_rationales(
    cfg: TeacherConfig,
    examples: Sequence[Example],
    rationales: Sequence[Rationale],
    cache: Cache,
) -> ScoreOutput:
    """Score the rationales the cache lacks, a batch (longest first) per commit; the records."""
    items = score_items(cfg, examples, rationales)
    hits = cache.keys(item.key for item in items)
    pending = [item for item in items if item.key not in hits]
    tally = Tally(total=len(items), cache_hits=len(hits), sent=len(pending))
    if pending:
        scorer = Scorer(cfg)
        pending.sort(key=lambda item: -len(item.prompt) - len(item.target))  # less padding
        size = cfg.local.batch_size
        with ProgressBar(tally, cfg.progress, label="score") as bar:
            for start in range(0, len(pending), size):
                done = scorer.score(pending[start : start + size])
                cache.put("score", done)
                for completion in done:
                    tally.add(completion)
                bar.update()
    cached = cache.get_many(item.key for item in items)
    tokens = [
        RationaleTokens(
            item.rationale.id,
            item.rationale.sample,
            align_tokens(cached[item.key].logprobs or (), item.rationale.text),
        )
        for item in items
    ]
    return ScoreOutput(tokens, tally)

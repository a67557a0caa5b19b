"""Rendering of SKIntern's (prompt, target) records at schedule step t (paper section 3.2, eq. 4).

Pure functions. The prompt at step t is (paper digest 2.6, the authors' `fewshot` template):

    {task description} Your response should conclude with the format "Therefore, the answer is".

    You can utilize the general learning summary and supplementary knowledge proposed by the
    expert teacher to address this question.
    {compressed knowledge k_i^t}

    Question: {q_e}
    Answer: {teacher CoT of e}        (one block per kept example e)

    Question: {x_i}
    Answer: Let's think step by step.

and the target the teacher rationale r_ij ending "Therefore, the answer is y_i.". With neither
knowledge nor examples (the last step, S_T = 0, and inference) the prompt is the plain question
prompt: header, blank line, question block. Chat templates are not applied here: the trainer and
the evaluator apply the model's template to the prompt in one place (`skintern.models.chat`), and
the length limit below counts the prompt as so formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from skintern.curriculum.retrieval import Shown
from skintern.data.prompt import header, plain_prompt, question_block

KNOWLEDGE_LEAD = (
    "You can utilize the general learning summary and supplementary knowledge proposed by "
    "the expert teacher to address this question."
)
ABLATIONS = ("none", "no-summary", "no-supplementary", "no-examples")


def example_block(shown: Shown) -> str:
    return f"Question: {shown.question.strip()}\nAnswer: {shown.answer.strip()}"


def skintern_prompt(
    description: str, knowledge: str, examples: Sequence[Shown], question: str
) -> str:
    """The step-t prompt: header, lead, knowledge, examples, question (plain when both empty)."""
    if not knowledge.strip() and not examples:
        return plain_prompt(description, question)
    body = KNOWLEDGE_LEAD + (f"\n{knowledge.strip()}" if knowledge.strip() else "")
    blocks = [header(description), body, *map(example_block, examples), question_block(question)]
    return "\n\n".join(blocks)


def ablation_parts(ablation: str) -> tuple[bool, bool, bool]:
    """(learning summary, supplementary knowledge, examples) kept under `ablation` (Table 3)."""
    return (ablation != "no-summary", ablation != "no-supplementary", ablation != "no-examples")


@dataclass
class Fitted:
    """A prompt cut to the length limit, with what was cut."""

    prompt: str
    knowledge: str
    examples: list[Shown] = field(default_factory=list)
    knowledge_tokens_cut: int = 0
    examples_cut: int = 0
    over_limit: bool = False


def fit(
    description: str,
    knowledge: str,
    examples: Sequence[Shown],
    question: str,
    limit: int | None,
    count: Callable[[str], int],
    truncate: Callable[[str, int], str],
) -> Fitted:
    """Cut examples (last first), then knowledge tokens (from the end), until the prompt fits.

    `count` gives a prompt's tokens as the model sees it; `truncate(text, n)` keeps text's first
    n tokens. The question is never cut: a prompt still too long without knowledge and examples
    is kept and flagged `over_limit` (the target is never cut either).
    """
    kept = list(examples)
    prompt = skintern_prompt(description, knowledge, kept, question)
    if limit is None or count(prompt) <= limit:
        return Fitted(prompt, knowledge, kept)
    while kept and count(skintern_prompt(description, knowledge, kept, question)) > limit:
        kept.pop()
    cut_examples = len(examples) - len(kept)
    total = count(knowledge) if knowledge else 0
    lo, hi = 0, total  # the most knowledge tokens that fit: binary search
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(skintern_prompt(description, truncate(knowledge, mid), kept, question)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    short = truncate(knowledge, lo) if lo < total else knowledge
    prompt = skintern_prompt(description, short, kept, question)
    return Fitted(prompt, short, kept, total - lo, cut_examples, count(prompt) > limit)

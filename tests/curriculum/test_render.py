from skintern.curriculum.render import (
    KNOWLEDGE_LEAD,
    ablation_parts,
    fit,
    plain_prompt,
    skintern_prompt,
)
from skintern.curriculum.retrieval import Shown

SHOWN = [Shown("a", "t", "Is 1 odd?", "1 is odd. Therefore, the answer is Yes."),
         Shown("b", "t", "Is 2 odd?", "2 is even. Therefore, the answer is No.")]  # fmt: skip


def test_the_papers_template():
    prompt = skintern_prompt(
        "Answer parity questions.", "Odd numbers end in 1, 3.", SHOWN, "Is 3 odd?"
    )
    assert prompt == (
        'Answer parity questions. Your response should conclude with the format "Therefore, '
        'the answer is".\n\n'
        "You can utilize the general learning summary and supplementary knowledge proposed by "
        "the expert teacher to address this question.\nOdd numbers end in 1, 3.\n\n"
        "Question: Is 1 odd?\nAnswer: 1 is odd. Therefore, the answer is Yes.\n\n"
        "Question: Is 2 odd?\nAnswer: 2 is even. Therefore, the answer is No.\n\n"
        "Question: Is 3 odd?\nAnswer: Let's think step by step."
    )


def test_last_step_is_the_plain_inference_prompt():
    assert skintern_prompt("D.", "", [], "Q?") == plain_prompt("D.", "Q?")
    assert plain_prompt("D.", "Q?") == (
        'D. Your response should conclude with the format "Therefore, the answer is".\n\n'
        "Question: Q?\nAnswer: Let's think step by step."
    )
    only_examples = skintern_prompt("D.", "", SHOWN[:1], "Q?")
    assert KNOWLEDGE_LEAD + "\n\nQuestion: Is 1 odd?" in only_examples


def test_ablations():
    assert ablation_parts("none") == (True, True, True)
    assert ablation_parts("no-summary") == (False, True, True)
    assert ablation_parts("no-supplementary") == (True, False, True)
    assert ablation_parts("no-examples") == (True, True, False)


def _words(text):
    return len(text.split())


def _cut(text, n):
    return " ".join(text.split()[:n])


def test_length_limit_cuts_examples_then_knowledge_never_the_question():
    knowledge = " ".join(f"fact{i}" for i in range(40))
    question = "Is 3 odd? " * 5
    full = fit("D.", knowledge, SHOWN, question, None, _words, _cut)
    assert full.examples == SHOWN and full.knowledge_tokens_cut == 0
    limit = _words(full.prompt) - 5  # dropping the last example (13 words) is enough
    one = fit("D.", knowledge, SHOWN, question, limit, _words, _cut)
    assert one.examples == SHOWN[:1] and one.examples_cut == 1 and one.knowledge == knowledge
    tight = fit(
        "D.", knowledge, SHOWN, question, _words(plain_prompt("D.", question)) + 30, _words, _cut
    )
    assert tight.examples == [] and tight.examples_cut == 2
    assert (
        0 < tight.knowledge_tokens_cut < 40
        and _words(tight.prompt) <= _words(plain_prompt("D.", question)) + 30
    )
    assert tight.prompt.endswith(
        "Question: " + question.strip() + "\nAnswer: Let's think step by step."
    )
    hopeless = fit("D.", knowledge, SHOWN, question, 3, _words, _cut)
    assert hopeless.over_limit and hopeless.prompt == plain_prompt("D.", question)
    assert hopeless.knowledge_tokens_cut == 40

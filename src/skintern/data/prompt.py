"""The question prompt a student reads: the task description, the instruction to end with
"Therefore, the answer is", and the question (paper digest 2.6, the authors' `fewshot`
template without knowledge or examples).

It sits in the data layer, below the stages, because more than one stage renders it: the
curriculum (SKIntern's last step), training and inference (Std-CoT and its kin), and the teacher
when it scores rationales under the prompt the student will be trained on
(`teacher.rationales.score_with`). Chat templates are not applied here
(`skintern.models.chat.format_prompt` does that, in one place).
"""

from __future__ import annotations

from skintern.data.example import Example

INSTRUCTION = 'Your response should conclude with the format "Therefore, the answer is".'


def header(description: str) -> str:
    """The task description followed by the instruction."""
    return f"{description.strip()} {INSTRUCTION}".strip()


def question_block(question: str) -> str:
    """The question and the opening of the answer."""
    return f"Question: {question.strip()}\nAnswer: Let's think step by step."


def plain_prompt(description: str, question: str) -> str:
    """The question-only prompt of the last step and of inference."""
    return f"{header(description)}\n\n{question_block(question)}"


def question_prompt(example: Example) -> str:
    """`plain_prompt` of an example: its task description (`meta["task_description"]`) and
    question."""
    return plain_prompt(str(example.meta.get("task_description", "")), example.question)

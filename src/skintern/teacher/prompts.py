"""The teacher's prompts: SKIntern (Liao et al., COLING 2025) Appendix D.1 (rationales) and D.2
(symbolic knowledge: learning summary only, or learning summary + supplementary knowledge).

`PROMPT_VERSION` enters every cache key: change it whenever a template's wording changes, so no
answer to an old prompt is ever reused for a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PROMPT_VERSION = "skintern-d1d2/1"

# App. D.1, verbatim apart from the placeholders.
RATIONALE_TEMPLATE = (
    "You are an expert assistant teacher. The following are tasks about {task_name}. "
    "{task_description} Explain your reasoning first and your response should conclude with the "
    'format "Therefore, the answer is".\n\n'
    "Question: {question}\n\n"
    "Answer: Let's think step by step."
)

_KNOWLEDGE_INTRO = (
    "As an excellent educational teacher, your goal is to help students enhance their "
    "question-solving abilities and to aid students in completing the same task in the future.\n"
)

# App. D.2, "Learning Summary and Supplementary Knowledge".
KNOWLEDGE_FULL_TEMPLATE = (
    _KNOWLEDGE_INTRO
    + "You should generate targeted, detailed thought processes and relevant background knowledge "
    "for solving similar questions in the future.\n"
    "Your role involves creating learning summaries and supplementary knowledge, specifically "
    "identifying the steps needed to solve the question and providing additional general "
    "knowledge in the supplementary knowledge.\n"
    "### Requirements:\n"
    "1. Learning summary should outline the thought processes including, but is not limited to, "
    "question comprehension, thought steps and mathematical calculations. It should also provide "
    "a summative experience to help students solve similar questions in the future.\n"
    "2. Supplementary knowledge should include a list of essential background information that "
    "students need to solve the question. This should encompass, but is not limited to, "
    "mathematical formulas, definitions, relevant world knowledge, and specific techniques.\n"
    "3. Ensure that the content is understandable and usable by students, while also being "
    "concise and effective.\n"
    "4. The obtained learning summary should be general and generalized, not aimed at specific "
    "problems, and the supplementary knowledge should also be general knowledge of the problem "
    "without involving specific analysis.\n"
    "5. Keep these requirements in mind while generating the learning summary and supplementary "
    "knowledge.\n"
    "### Return Format:\n"
    "Return in the following format:\n"
    "Learning Summary: [Learning Summary]\n"
    "Supplementary Knowledge: [Supplementary Knowledge]\n"
    "{demonstrations}"
    "{questions}\n"
    "Please follow the requirements and provide the learning summary and supplementary knowledge."
)

# App. D.2, "Learning Summary only" (requirements 1-4 as the digest of the paper lists them).
KNOWLEDGE_SUMMARY_TEMPLATE = (
    _KNOWLEDGE_INTRO
    + "You should generate targeted, detailed thought processes for solving similar questions in "
    "the future.\n"
    "### Requirements:\n"
    "1. Learning summary should outline the thought processes and precautions for the mistakes "
    "students make, including, but not limited to, question comprehension, thought steps and "
    "mathematical calculations. It should also provide a summative experience to help students "
    "solve similar questions in the future.\n"
    "2. Ensure that the content is understandable and usable by students, while also being "
    "concise and effective.\n"
    "3. The obtained learning summary should be general and generalized, not aimed at specific "
    "problems.\n"
    "4. Keep these requirements in mind while generating the learning summary.\n"
    "### Return Format:\n"
    "Return in the following format:\n"
    "Learning Summary: [Learning Summary]\n"
    "{demonstrations}"
    "{questions}\n"
    "Please follow the requirements and provide the learning summary."
)


@dataclass(frozen=True, slots=True)
class Demonstration:
    """A hand-written knowledge demonstration (the paper uses 2)."""

    question: str
    answer: str
    learning_summary: str
    supplementary_knowledge: str = ""


def task_name(task: str) -> str:
    """`date_understanding` -> `date understanding`."""
    return task.replace("_", " ").replace("-", " ")


def rationale_prompt(task: str, description: str, question: str) -> str:
    """The D.1 prompt for one question of `task`."""
    description = description.strip()
    if description and not description.endswith((".", "?", "!")):
        description += "."
    return RATIONALE_TEMPLATE.format(
        task_name=task_name(task), task_description=description, question=question.strip()
    ).replace(".  Explain", ". Explain")


def _demonstration(demo: Demonstration, variant: str) -> str:
    lines = [f"Question: {demo.question} Answer: {demo.answer}"]
    lines.append(f"Learning Summary: {demo.learning_summary}")
    if variant == "full":
        lines.append(f"Supplementary Knowledge: {demo.supplementary_knowledge}")
    return "\n".join(lines) + "\n\n"


def knowledge_prompt(
    variant: str,
    questions: Sequence[tuple[str, str]],
    demonstrations: Sequence[Demonstration] = (),
) -> str:
    """The D.2 prompt (`variant` `full` or `summary`) for (question, answer) pairs.

    One pair is the paper's example-level prompt; several pairs of one task ask for task-level
    knowledge.
    """
    template = KNOWLEDGE_FULL_TEMPLATE if variant == "full" else KNOWLEDGE_SUMMARY_TEMPLATE
    demos = "".join(_demonstration(demo, variant) for demo in demonstrations)
    if demos:
        demos = "### Examples:\n" + demos
    asked = "\n".join(f"Question: {q.strip()} Answer: {a.strip()}" for q, a in questions)
    return template.format(demonstrations=demos, questions=asked)

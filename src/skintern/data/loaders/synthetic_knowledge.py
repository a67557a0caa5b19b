"""The rules of the synthetic tasks, written as the paper's symbolic knowledge (App. D.2 shape).

The learning summary says how to think about a task; the supplementary knowledge holds the facts
a solver needs (for object counting, which objects belong to which category: exactly what a small
model cannot guess and SKIntern is meant to internalise).
"""

from __future__ import annotations

from dataclasses import dataclass

OBJECT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "animals": (
        "cow",
        "goat",
        "rabbit",
        "snake",
        "duck",
        "donkey",
        "frog",
        "mouse",
        "bear",
        "fish",
    ),
    "fruits": ("apple", "banana", "peach", "plum", "grape", "nectarine", "orange", "strawberry"),
    "vegetables": ("carrot", "onion", "potato", "cabbage", "yam", "garlic", "celery", "lettuce"),
    "musical instruments": ("piano", "flute", "violin", "drum", "trumpet", "clarinet", "trombone"),
    "objects": ("chair", "table", "lamp", "stove", "bed", "microwave", "oven", "toaster"),
}


@dataclass(frozen=True)
class TaskKnowledge:
    description: str
    learning_summary: str
    supplementary_knowledge: str


def _categories() -> str:
    return "\n".join(
        f"{i}. {cat.capitalize()}: {', '.join(items)}."
        for i, (cat, items) in enumerate(OBJECT_CATEGORIES.items(), start=1)
    )


KNOWLEDGE: dict[str, TaskKnowledge] = {
    "boolean_expressions": TaskKnowledge(
        "Evaluate the result of a random Boolean expression.",
        "1. Find the innermost parenthesised group and evaluate it first.\n"
        "2. Replace each group by its value and move outwards, one step per line.\n"
        "3. Apply not to the value right after it before using it in and/or.",
        "1. True and True = True; any and with False = False.\n"
        "2. False or False = False; any or with True = True.\n"
        "3. not True = False; not False = True.",
    ),
    "arithmetic": TaskKnowledge(
        "Solve a multi-step arithmetic problem.",
        "1. Start from the innermost parentheses and compute one operation per line.\n"
        "2. Carry each result into the next operation, keeping its sign.\n"
        "3. The last result is the answer.",
        "1. Subtracting a negative number adds it: 3 - (-4) = 7.\n"
        "2. A product of two negatives is positive; of one negative, negative.\n"
        "3. Multiplication by 0 gives 0.",
    ),
    "navigate": TaskKnowledge(
        "Given a series of navigation instructions, determine whether one would end up back at "
        "the starting point.",
        "1. Track the position (x, y) from (0, 0), updating it after every instruction.\n"
        "2. The answer is Yes only if the final position is exactly (0, 0).",
        "1. Facing forward: forward adds to y, backward subtracts from y.\n"
        "2. Right adds to x, left subtracts from x.\n"
        "3. Taking n steps changes the coordinate by n.",
    ),
    "object_counting": TaskKnowledge(
        "Questions that involve enumerating objects and asking the model to count them.",
        "1. List every item with its number and decide which category it belongs to.\n"
        "2. Add up the numbers of the items in the asked category only; skip the rest.\n"
        "3. Read number words: a = 1, two = 2, three = 3, four = 4.",
        "Categories of common items:\n" + _categories(),
    ),
    "date_arithmetic": TaskKnowledge(
        "Infer the date from context.",
        "1. Write today's date as MM/DD/YYYY.\n"
        "2. Add or subtract the days, carrying into the next or previous month when a month "
        "runs out.\n3. Match the resulting date against the options.",
        "1. Days per month: Jan 31, Feb 28 (29 in leap years), Mar 31, Apr 30, May 31, Jun 30, "
        "Jul 31, Aug 31, Sep 30, Oct 31, Nov 30, Dec 31.\n"
        "2. A leap year is divisible by 4, except centuries not divisible by 400.",
    ),
}

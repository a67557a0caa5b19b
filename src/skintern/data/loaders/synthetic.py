"""Procedurally generated BBH-style tasks with exact rationales: an offline teacher and fixture.

Each generator draws one question from a seeded `random.Random` and writes the exact
step-by-step rationale a perfect teacher would, ending "Therefore, the answer is X.", into
`Example.meta["rationale"]`; `task_knowledge(task)` is the task's rules as symbolic knowledge
(learning summary + supplementary knowledge). The `procedural` teacher backend replays both.

Tasks: boolean_expressions, arithmetic, navigate, object_counting, date_arithmetic. A task name
may carry a difficulty, `arithmetic:4` (default 2: the number of operations, moves or items
beyond the minimum). Split sizes: 200 train and 50 test questions per task; test questions never
repeat a training question. Nothing is read from disk, so `data_dir` is ignored.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.synthetic_knowledge import KNOWLEDGE, OBJECT_CATEGORIES
from skintern.data.registry import datasets
from skintern.errors import ConfigError
from skintern.registry import did_you_mean

FINAL = "Therefore, the answer is"
SIZES = {"train": 200, "test": 50}
DEFAULT_DIFFICULTY = 2


@dataclass(frozen=True)
class Generated:
    question: str
    answer: str
    steps: tuple[str, ...]  # the rationale's lines before the final sentence
    options: tuple[str, ...] = ()

    def rationale(self, shown_answer: str) -> str:
        return "\n".join((*self.steps, f"{FINAL} {shown_answer}."))


def _bool_expr(rng: random.Random, ops: int) -> tuple[str, bool, list[str]]:
    """A random expression with `ops` binary operators; returns text, value, evaluation steps."""
    if ops == 0:
        value = rng.random() < 0.5
        text, steps = str(value), []
    else:
        left_ops = rng.randint(0, ops - 1)
        left, lv, ls = _bool_expr(rng, left_ops)
        right, rv, rs = _bool_expr(rng, ops - 1 - left_ops)
        op = rng.choice(("and", "or"))
        value = (lv and rv) if op == "and" else (lv or rv)
        text = f"( {left} {op} {right} )"
        steps = [*ls, *rs, f"{text} = {lv} {op} {rv} = {value}."]
    if rng.random() < 0.3:
        inner = f"not {value}" if ops else ""
        steps.append(" = ".join(filter(None, (f"not {text}", inner, f"{not value}."))))
        text, value = f"not {text}", not value
    return text, value, steps


def boolean_expressions(rng: random.Random, difficulty: int) -> Generated:
    text, value, steps = _bool_expr(rng, difficulty)
    lead = "Evaluate the innermost parentheses first, then apply not, and, or."
    return Generated(f"{text} is", str(value), (lead, *steps))


def arithmetic(rng: random.Random, difficulty: int) -> Generated:
    value = rng.randint(-9, 9)
    text, steps = str(value), []
    for _ in range(difficulty + 1):
        op, operand = rng.choice("+-*"), rng.randint(-9, 9)
        shown = f"({operand})" if operand < 0 else str(operand)
        new = value + operand if op == "+" else value - operand if op == "-" else value * operand
        steps.append(f"{value} {op} {shown} = {new}.")
        text, value = f"({text} {op} {shown})", new
    question = f"{text[1:-1]} ="
    return Generated(question, str(value), ("Compute from the innermost parentheses out.", *steps))


_MOVES = {"forward": (0, 1), "backward": (0, -1), "left": (-1, 0), "right": (1, 0)}


def navigate(rng: random.Random, difficulty: int) -> Generated:
    moves = [(rng.choice(list(_MOVES)), rng.randint(1, 9)) for _ in range(difficulty + 1)]
    if rng.random() < 0.5:  # half the questions return to the start
        x = sum(_MOVES[d][0] * n for d, n in moves)
        y = sum(_MOVES[d][1] * n for d, n in moves)
        moves += [("left" if x > 0 else "right", abs(x))] if x else []
        moves += [("backward" if y > 0 else "forward", abs(y))] if y else []
        rng.shuffle(moves)
    x = y = 0
    steps = ["Start at (0, 0), facing forward."]
    for direction, n in moves:
        x, y = x + _MOVES[direction][0] * n, y + _MOVES[direction][1] * n
        steps.append(f"Take {n} steps {direction}: ({x}, {y}).")
    home = (x, y) == (0, 0)
    steps.append(f"We end at ({x}, {y}), which is {'' if home else 'not '}the start.")
    instructions = " ".join(f"Take {n} steps {d}." for d, n in moves)
    question = (
        "If you follow these instructions, do you return to the starting point? "
        f"Always face forward. {instructions}\nOptions:\n- Yes\n- No"
    )
    return Generated(question, "Yes" if home else "No", tuple(steps))


_NUMBER_WORDS = ("a", "two", "three", "four")
_IRREGULAR = {"mouse": "mice", "fish": "fish", "goose": "geese"}


def plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "ch", "sh", "x")) else "s")


def object_counting(rng: random.Random, difficulty: int) -> Generated:
    target = rng.choice(list(OBJECT_CATEGORIES))
    pool = [(item, cat) for cat, items in OBJECT_CATEGORIES.items() for item in items]
    picked = rng.sample(pool, difficulty + 2)
    if all(cat != target for _, cat in picked):
        picked[0] = (rng.choice(OBJECT_CATEGORIES[target]), target)
    counts = [rng.randint(1, 4) for _ in picked]
    phrases = [
        f"{_NUMBER_WORDS[n - 1]} {plural(item, n)}"
        for (item, _), n in zip(picked, counts, strict=True)
    ]
    listing = ", ".join(phrases[:-1]) + f", and {phrases[-1]}"
    steps, total = [], 0
    for (item, cat), n in zip(picked, counts, strict=True):
        keep = cat == target
        total += n if keep else 0
        steps.append(f"{item}: {cat}, {'count ' + str(n) if keep else 'skip'}.")
    steps.append(f"Total {target}: {total}.")
    question = f"I have {listing}. How many {target} do I have?"
    return Generated(question, str(total), tuple(steps))


def date_arithmetic(rng: random.Random, difficulty: int) -> Generated:
    today = dt.date(rng.randint(1950, 2030), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    days = rng.randint(1, 10 * difficulty + 5) * rng.choice((1, -1))
    answer = today + dt.timedelta(days=days)
    fmt = "%m/%d/%Y"
    distractors = {answer + dt.timedelta(days=d) for d in (1, -1, 30, -30, 365, 7)}
    options = [answer, *rng.sample(sorted(distractors), 3)]
    rng.shuffle(options)
    letter = "ABCD"[options.index(answer)]
    word = "later" if days > 0 else "earlier"
    days_in_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
        days=1
    )
    steps = (
        f"Today is {today.strftime(fmt)}; {today.strftime('%B')} has {days_in_month.day} days.",
        f"{abs(days)} days {word} is {answer.strftime(fmt)}, which is option ({letter}).",
    )
    listing = "\n".join(f"({'ABCD'[i]}) {d.strftime(fmt)}" for i, d in enumerate(options))
    question = (
        f"Today is {today.strftime(fmt)}. What is the date {abs(days)} days {word} in "
        f"MM/DD/YYYY?\nOptions:\n{listing}"
    )
    return Generated(question, letter, steps, tuple(d.strftime(fmt) for d in options))


Generator = Callable[[random.Random, int], Generated]
GENERATORS: dict[str, tuple[Generator, AnswerType]] = {
    "boolean_expressions": (boolean_expressions, AnswerType.TRUE_FALSE),
    "arithmetic": (arithmetic, AnswerType.NUMBER),
    "navigate": (navigate, AnswerType.YES_NO),
    "object_counting": (object_counting, AnswerType.NUMBER),
    "date_arithmetic": (date_arithmetic, AnswerType.OPTION),
}
TASKS = tuple(GENERATORS)


def parse_task(task: str) -> tuple[str, int]:
    """`arithmetic:4` -> ("arithmetic", 4); a bare name gets the default difficulty."""
    name, _, level = task.partition(":")
    if name not in GENERATORS:
        raise ConfigError(
            f"unknown synthetic task {name!r}; known: {', '.join(TASKS)}",
            hint=did_you_mean(name, TASKS),
        )
    if level and not (level.isdigit() and int(level) >= 1):
        raise ConfigError(f"synthetic task {task!r}: difficulty must be a whole number >= 1")
    return name, int(level) if level else DEFAULT_DIFFICULTY


def generate(task: str, split: str, seed: int, n: int | None = None) -> list[Example]:
    """`n` (default `SIZES[split]`) questions of `task`; test never repeats a train question."""
    name, difficulty = parse_task(task)
    make, kind = GENERATORS[name]
    seen: set[str] = set()
    if split == "test":
        seen = {e.question for e in generate(task, "train", seed)}
    rng = random.Random(f"synthetic:{task}:{split}:{seed}")
    examples: list[Example] = []
    wanted = n if n is not None else SIZES[split]
    for _ in range(wanted * 50):  # small tasks may run out of distinct questions
        if len(examples) == wanted:
            break
        item = make(rng, difficulty)
        if item.question in seen:
            continue
        seen.add(item.question)
        shown = f"({item.answer})" if kind is AnswerType.OPTION else item.answer
        examples.append(
            Example(
                id=f"synthetic/{task}/{split}/{len(examples)}",
                dataset="synthetic",
                task=task,
                question=item.question,
                answer=item.answer,
                answer_type=kind,
                options=item.options,
                meta={
                    "rationale": item.rationale(shown),
                    "difficulty": difficulty,
                    "task_description": KNOWLEDGE[name].description,
                },
            )
        )
    return examples


@datasets.register("synthetic")
def load_synthetic(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    tasks = [task] if task else list(TASKS)
    splits = ("train", "test") if split == "all" else (split,)
    return [example for name in tasks for part in splits for example in generate(name, part, seed)]

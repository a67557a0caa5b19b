"""A small real run directory (data + teacher files) as the earlier stages leave it."""

from __future__ import annotations

import json
from pathlib import Path

from skintern.data.example import Example
from skintern.data.loaders.bbh import make_example
from skintern.data.stage import write_splits
from skintern.records import Knowledge, Rationale

TASKS = {
    "navigate": "If you follow these instructions, do you return to the starting point?",
    "object_counting": "Questions that involve enumerating objects and asking the model to count.",
}
NAVIGATE = [
    "Take 3 steps. Take 2 steps back. Turn left. Take 1 step.",
    "Take 5 steps forward. Turn around. Take 5 steps forward.",
    "Always face forward. Take 4 steps left. Take 4 steps right.",
    "Turn right. Take 7 steps. Turn left. Take 2 steps backward.",
    "Take 6 steps. Take 6 steps backward. Turn around. Take 1 step.",
    "Always face forward. Take 9 steps right. Take 3 steps left.",
]
COUNTING = [
    "I have a piano, a flute, and four trombones. How many musical instruments do I have?",
    "I have an apple, two bananas, and a plum. How many fruits do I have?",
    "I have a cat, two dogs, and a goat. How many animals do I have?",
    "I have a chair, a table, and three lamps. How many objects do I have?",
    "I have a carrot, a potato, and two onions. How many vegetables do I have?",
    "I have a violin, a drum, and a trumpet. How many musical instruments do I have?",
]
TEST_QUESTION = "I have a cat, two dogs, and a goat. How many animals do I have?"  # leaked copy


def example(task: str, index: int, question: str, answer: str) -> Example:
    return make_example(task, index, question, answer, task_description=TASKS[task])


def train_examples() -> list[Example]:
    rows = [example("navigate", i, q, "No") for i, q in enumerate(NAVIGATE)]
    rows += [example("object_counting", i, q, str(i + 3)) for i, q in enumerate(COUNTING)]
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def knowledge_rows() -> list[Knowledge]:
    navigate = Knowledge(
        key="navigate",
        task="navigate",
        granularity="task",
        learning_summary="Track the position (x, y) after every instruction; the answer is Yes "
        "only if the final position is (0, 0). Turning changes the heading, not the position.",
        supplementary_knowledge="Forward adds 1 along the heading per step; backward subtracts "
        "1. Left and right move sideways when always facing forward. Turn around flips the "
        "heading by 180 degrees, so 5 forward then 5 forward after turning returns to (0, 0).",
        source="test",
    )
    counting = Knowledge(
        key="object_counting",
        task="object_counting",
        granularity="task",
        learning_summary="List every item of the asked category with its count, then add the "
        "counts; ignore items of other categories.",
        supplementary_knowledge="Number words: one = 1, two = 2, three = 3, four = 4. A piano, "
        "a flute and a violin are musical instruments; a carrot is a vegetable.",
        source="test",
    )
    return [navigate, counting]


def write_run(run_dir: Path, knowledge: list[Knowledge] | None = None) -> list[Example]:
    """A run directory as the data and teacher stages leave it."""
    train = train_examples()
    test = [example("object_counting", 99, TEST_QUESTION, "4")]
    write_splits(run_dir, {"train": {"bbh": train}, "test": {"bbh": test}})
    rationales = []
    for e in train:
        for sample in (0, 1) if e.id.endswith("/0") else (0,):
            text = f"Reasoning on {e.id}, sample {sample}. Therefore, the answer is {e.answer}."
            rationales.append(Rationale(e.id, e.task, sample, text, "test").to_dict())
    write_jsonl(run_dir / "teacher" / "rationales.jsonl", rationales)
    bank = knowledge_rows() if knowledge is None else knowledge
    write_jsonl(run_dir / "teacher" / "knowledge.jsonl", [k.to_dict() for k in bank])
    return train

"""A small real run directory for training tests: data, teacher output and curriculum steps."""

from __future__ import annotations

import json
from pathlib import Path

from skintern.curriculum.render import plain_prompt, skintern_prompt
from skintern.curriculum.retrieval import Shown
from skintern.data.example import AnswerType, Example
from skintern.data.stage import write_splits
from skintern.records import FINAL_PHRASE

HINTS = {
    "navigate": ("track each step and turn in order.", "Turning around reverses the direction."),
    "counting": ("list the apples, pears and fruits.", "Fruits: apples and pears add up."),
}
DESCRIPTION = {"navigate": "Decide whether you return to the start.", "counting": "Count things."}


def make_examples() -> list[Example]:
    examples = []
    for i in range(8):
        task = "navigate" if i % 2 else "counting"
        if task == "navigate":
            question = f"Take {i + 1} steps. Turn around. Take {i + 1} steps. Return to start?"
            answer, kind = "Yes", AnswerType.YES_NO
        else:
            question = f"I have {i} apples and {i + 2} pears. How many fruits do I have?"
            answer, kind = str(2 * i + 2), AnswerType.NUMBER
        meta = {"task_description": DESCRIPTION[task]}
        examples.append(Example(f"t/{task}/{i}", "toy", task, question, answer, kind, (), meta))
    return examples


def rationale_text(example: Example) -> str:
    return f"We look at the question carefully and reason. {FINAL_PHRASE} {example.answer}."


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def write_run(run_dir: Path) -> Path:
    """data/train, teacher rationales + task knowledge, and a 2-step curriculum."""
    examples = make_examples()
    write_splits(run_dir, {"train": {"toy": examples}})
    write_jsonl(
        run_dir / "teacher" / "rationales.jsonl",
        [
            {"id": e.id, "task": e.task, "sample": 0, "text": rationale_text(e), "source": "t"}
            for e in examples
        ],
    )
    knowledge = [
        {
            "key": task,
            "task": task,
            "granularity": "task",
            "learning_summary": f"To solve {task} questions, {HINTS[task][0]}",
            "supplementary_knowledge": HINTS[task][1],
            "source": "t",
        }
        for task in DESCRIPTION
    ]
    write_jsonl(run_dir / "teacher" / "knowledge.jsonl", knowledge)
    by_task = {k["key"]: k for k in knowledge}
    steps = []
    for t, s_t in ((1, 1.0), (2, 0.0)):
        rows = []
        for e in examples:
            k = by_task[e.task]
            other = next(o for o in examples if o.task == e.task and o.id != e.id)
            if s_t:
                text = f"Learning Summary: {k['learning_summary']}"
                shown = [Shown(other.id, other.task, other.question, rationale_text(other))]
                prompt = skintern_prompt(DESCRIPTION[e.task], text, shown, e.question)
            else:
                prompt = plain_prompt(DESCRIPTION[e.task], e.question)
            rows.append(
                {"id": f"{e.id}#0", "example": e.id, "task": e.task, "step": t, "S_t": s_t,
                 "prompt": prompt, "target": rationale_text(e)}
            )  # fmt: skip
        write_jsonl(run_dir / "curriculum" / f"step-{t}.jsonl", rows)
        steps.append(
            {"step": t, "S_t": s_t, "K_t": 1, "epochs": 1, "file": f"step-{t}.jsonl",
             "records": len(rows)}
        )  # fmt: skip
    manifest = {
        "stage": "curriculum",
        "student": "tiny-random",
        "schedule": {"steps": 2, "epochs": 2},
        "mode": "epoch-blocks",
        "steps": steps,
    }
    (run_dir / "curriculum" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir

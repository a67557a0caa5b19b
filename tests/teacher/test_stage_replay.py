"""The whole stage in replay mode on a small BBH-shaped data root (real files), and on the real
code-davinci-002 outputs when the shared data is there."""

import json

import yaml
from typer.testing import CliRunner

from skintern.cli import app
from skintern.config import RunConfig, load_config
from skintern.data import stage as data_stage
from skintern.records import FINAL_PHRASE, Knowledge, Rationale, read_records
from skintern.teacher import stage

N = 10  # questions; the seeded 80/20 split keeps 8 for training


def make_root(tmp_path):
    """bbh/{tasks,cot-prompts,teacher-code-davinci-002,knowledge} for the task `navigate`."""
    root = tmp_path / "data"
    questions = [f"Take {i} steps. Turn around. Take {i} steps. Return?" for i in range(N)]
    targets = ["Yes" if i % 3 else "No" for i in range(N)]
    (root / "bbh" / "tasks").mkdir(parents=True)
    (root / "bbh" / "tasks" / "navigate.json").write_text(
        json.dumps(
            {
                "examples": [
                    {"input": q, "target": t} for q, t in zip(questions, targets, strict=True)
                ]
            }
        )
    )
    (root / "bbh" / "cot-prompts").mkdir()
    (root / "bbh" / "cot-prompts" / "navigate.txt").write_text(
        "canary\n-----\nGiven instructions, say whether you return.\n\n"
        "Q: Take 1 step.\nA: Let's think step by step.\nNo. So the answer is No."
    )
    outputs = []
    for i, (q, t) in enumerate(zip(questions, targets, strict=True)):
        said = t if i % 4 else ("No" if t == "Yes" else "Yes")  # every 4th answer is wrong
        asked = q if i != 5 else "some other question"  # output 5 was made for another input
        prediction = f"Steps. So the answer is {said}."
        outputs.append({"input": f"Q: {asked}\nA:", "prediction": prediction, "target": t})
    (root / "bbh" / "teacher-code-davinci-002").mkdir()
    (root / "bbh" / "teacher-code-davinci-002" / "navigate.json").write_text(
        json.dumps({"outputs": outputs})
    )
    (root / "bbh" / "knowledge").mkdir()
    (root / "bbh" / "knowledge" / "bank.jsonl").write_text(
        json.dumps({"task": "navigate", "learning_summary": "Track (x, y).",
                    "supplementary_knowledge": "Opposite moves cancel.", "granularity": "task"})
        + "\n" + json.dumps({"task": "gsm8k", "learning_summary": "Units."}) + "\n"
    )  # fmt: skip
    return root, targets


def write_config(tmp_path, root):
    cfg = {
        "name": "toy",
        "data": {"data_dir": str(root), "train": [{"name": "bbh", "tasks": ["navigate"]}]},
        "teacher": {
            "backend": "replay",
            "model": "code-davinci-002",
            "progress": False,
            "rationales": {"samples": 1},
            "knowledge": {"source": "bank", "bank": "bbh/knowledge/bank.jsonl"},
        },
    }
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_replay_keeps_correct_rationales_and_attaches_the_bank(tmp_path):
    root, targets = make_root(tmp_path)
    cfg = load_config(RunConfig, write_config(tmp_path, root))
    run_dir = tmp_path / "run"
    data_stage.run(cfg.data, run_dir)
    manifest = stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir)
    train = [
        json.loads(line) for line in (run_dir / "data/train/bbh.jsonl").read_text().splitlines()
    ]
    ids = [row["id"] for row in train]
    index = [int(i.rsplit("/", 1)[1]) for i in ids]
    expected = [f"bbh/navigate/{i}" for i in index if i % 4 and i != 5]
    kept = read_records(run_dir / "teacher" / "rationales.jsonl", Rationale)
    assert [r.id for r in kept] == expected
    for r in kept:
        assert r.text == f"Steps. {FINAL_PHRASE} {targets[int(r.id.rsplit('/', 1)[1])]}."
        assert (r.task, r.sample, r.source) == ("navigate", 0, "replay:code-davinci-002")
    (knowledge,) = read_records(run_dir / "teacher" / "knowledge.jsonl", Knowledge)
    assert (knowledge.key, knowledge.granularity, knowledge.source) == (
        "navigate",
        "task",
        "bank:bank.jsonl",
    )
    row = manifest["rationales"]["per_task"]["navigate"]
    assert (row["examples"], row["kept"]) == (len(train), len(expected))
    assert row["answered"] == len(train) - (5 in index)
    assert manifest["requests"]["failures_by_reason"] == (
        {"replay-mismatch": 1} if 5 in index else {}
    )
    assert manifest["requests"]["cache_hits"] == 0

    first = (run_dir / "teacher" / "rationales.jsonl").read_bytes()
    again = stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir)
    assert again["requests"]["cache_hits"] == len(train) - (5 in index)
    assert again["requests"]["sent"] == (5 in index)  # only the failed one is asked again
    assert (run_dir / "teacher" / "rationales.jsonl").read_bytes() == first


def test_cli_on_a_fresh_run_dir_runs_the_data_stage(tmp_path):
    root, _ = make_root(tmp_path)
    run_dir = tmp_path / "fresh"
    result = CliRunner().invoke(
        app, ["teach", "--config", str(write_config(tmp_path, root)), "--run-dir", str(run_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "navigate" in result.output and "requests 8" in result.output
    assert (run_dir / "data" / "train" / "bbh.jsonl").is_file()
    manifest = json.loads((run_dir / "teacher" / "manifest.json").read_text())
    assert manifest["knowledge"]["written"] == 1
    assert manifest["knowledge"]["missing"] == []


def test_real_bbh_replay_is_about_74_percent_right(shared_root, tmp_path):
    """code-davinci-002 on three real BBH tasks' training split, through the shipped config."""
    cfg = load_config(
        RunConfig,
        "configs/bbh-small.yaml",
        ["data.train=[{name: bbh, tasks: [navigate, word_sorting, date_understanding]}]",
         "teacher.progress=false"],
    )  # fmt: skip
    run_dir = tmp_path / "run"
    data_stage.run(cfg.data, run_dir)
    manifest = stage.run(cfg.teacher, run_dir, data_dir=cfg.data.data_dir)
    per_task = manifest["rationales"]["per_task"]
    assert per_task["navigate"]["examples"] == 200
    assert 0.9 < per_task["navigate"]["kept_rate"] < 1.0
    assert 0.3 < per_task["word_sorting"]["kept_rate"] < 0.5  # the hardest for the teacher
    assert manifest["requests"]["failed"] == 0
    kept = read_records(run_dir / "teacher" / "rationales.jsonl", Rationale)
    assert len(kept) == per_task["all"]["kept"]
    assert all(r.text.rstrip(".").rsplit(FINAL_PHRASE, 1)[1] for r in kept)
    knowledge = read_records(run_dir / "teacher" / "knowledge.jsonl", Knowledge)
    assert sorted(k.task for k in knowledge) == ["date_understanding", "navigate", "word_sorting"]

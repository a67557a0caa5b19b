"""The `gold` backend: the procedural teacher of the synthetic tasks, end to end."""

import json

from skintern.config import RunConfig, load_config
from skintern.data import stage as data_stage
from skintern.records import Knowledge, Rationale, read_records
from skintern.teacher import stage as teacher_stage
from skintern.teacher.backends.gold import task_rules


def run_teacher(tmp_path, *overrides):
    cfg = load_config(
        RunConfig,
        None,
        [
            "data.train=[{name: synthetic, tasks: [arithmetic, 'navigate:3'], limit: 12}]",
            "teacher.backend=gold",
            "teacher.rationales.samples=1",
            "teacher.knowledge.source=teacher",
            "teacher.knowledge.granularity=task",
            *overrides,
        ],
    )
    data_stage.run(cfg.data, tmp_path)
    return teacher_stage.run(cfg.teacher, tmp_path)


def test_gold_teacher_writes_every_rationale_and_task_rules(tmp_path):
    manifest = run_teacher(tmp_path)
    rationales = read_records(tmp_path / "teacher/rationales.jsonl", Rationale)
    knowledge = read_records(tmp_path / "teacher/knowledge.jsonl", Knowledge)
    assert len(rationales) == 24
    assert all(r.text.endswith(".") and "Therefore, the answer is" in r.text for r in rationales)
    assert {k.key for k in knowledge} == {"arithmetic", "navigate:3"}
    assert all(k.learning_summary and k.supplementary_knowledge for k in knowledge)
    assert "forward adds to y" in next(k for k in knowledge if k.task == "navigate:3").text()
    on_disk = json.loads((tmp_path / "teacher/manifest.json").read_text())
    assert on_disk == json.loads(json.dumps(manifest))


def test_rerun_is_answered_from_the_cache(tmp_path):
    run_teacher(tmp_path)
    before = (tmp_path / "teacher/rationales.jsonl").read_text()
    manifest = json.loads(json.dumps(run_teacher(tmp_path)))
    assert (tmp_path / "teacher/rationales.jsonl").read_text() == before
    assert manifest["requests"]["cache_hits"] == 26  # 24 rationales + 2 knowledge requests


def test_gold_knowledge_only_for_synthetic_tasks():
    assert task_rules("arithmetic:4").startswith("Learning Summary: ")
    assert task_rules("navigate") is not None
    assert task_rules("date_understanding") is None

"""The whole stage on a small real run directory with the tiny-random student."""

import json

import pytest
from curriculum_fixtures import knowledge_rows, write_run
from typer.testing import CliRunner

from skintern.cli import app
from skintern.curriculum import stage
from skintern.curriculum.config import CurriculumConfig
from skintern.errors import DataError


def config(**changes):
    base = {"student": "tiny-random", "k": 4, "compressor": "selfinfo", "seed": 3}
    return CurriculumConfig(**{**base, **changes})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    write_run(run_dir)
    return run_dir, stage.run(config(), run_dir)


def test_writes_every_step_with_the_schedules_counts(rendered):
    run_dir, manifest = rendered
    out = run_dir / "curriculum"
    assert [s["file"] for s in manifest["steps"]] == [f"step-{t}.jsonl" for t in range(1, 5)]
    for plan, target, k_t in zip(
        manifest["steps"], (1, 2 / 3, 1 / 3, 0), (4, 2, 1, 0), strict=True
    ):
        assert plan["K_t"] == k_t and plan["epochs"] == 3
        assert plan["examples_min"] == plan["examples_max"] == k_t
        if target:
            assert abs(plan["knowledge_ratio_mean"] - target) <= 0.05 * target
        rows = [json.loads(line) for line in (out / plan["file"]).open()]
        assert len(rows) == plan["records"] == 14  # 12 examples, two with 2 rationales
        assert all(len(r["examples"]) == k_t for r in rows)
    assert manifest["steps"][3]["knowledge_ratio_mean"] == 0.0
    neighbors = [json.loads(line) for line in (out / "neighbors.jsonl").open()]
    assert len(neighbors) == 12 and all(len(n["neighbors"]) == 4 for n in neighbors)
    assert not any(n["id"] in n["neighbors"] for n in neighbors)
    assert all("bbh/object_counting/2" not in n["neighbors"] for n in neighbors)  # a test question


def test_first_and_last_step_prompts(rendered):
    run_dir, _ = rendered
    first = {r["id"]: r for r in stage.read_step(run_dir, 1)}["bbh/navigate/0#1"]
    assert "Learning Summary: Track the position (x, y)" in first["prompt"]
    assert first["prompt"].endswith("Question: " + "Take 3 steps. Take 2 steps back. Turn left. "
                                    "Take 1 step.\nAnswer: Let's think step by step.")  # fmt: skip
    assert first["target"] == "Reasoning on bbh/navigate/0, sample 1. Therefore, the answer is No."
    last = {r["id"]: r for r in stage.read_step(run_dir, 4)}["bbh/navigate/0#1"]
    assert "expert teacher" not in last["prompt"] and last["prompt"].count("Question:") == 1


def test_rerun_renders_the_same_records_and_skips_when_unchanged(rendered, tmp_path):
    run_dir, manifest = rendered
    write_run(tmp_path)
    again = stage.run(config(), tmp_path)
    for plan in manifest["steps"]:
        assert (tmp_path / "curriculum" / plan["file"]).read_text() == (
            run_dir / "curriculum" / plan["file"]
        ).read_text()
    assert stage.run(config(), tmp_path)["skipped"] is True
    # 2 task-level texts, each compressed once per rate; the other 12 x 4 - 8 lookups are hits
    assert (again["cache"]["misses"], again["cache"]["hits"]) == (8, 40)
    other_seed = stage.run(config(seed=4), tmp_path)
    assert "skipped" not in other_seed


def test_missing_knowledge_is_rendered_without_and_counted(tmp_path):
    write_run(tmp_path, knowledge=knowledge_rows()[:1])  # no object_counting knowledge
    manifest = stage.run(config(compressor="truncate", ablation="no-examples"), tmp_path)
    first = manifest["steps"][0]
    assert first["missing_knowledge"] == 6 and first["examples_max"] == 0
    row = {r["id"]: r for r in stage.read_step(tmp_path, 1)}["bbh/object_counting/1#0"]
    assert "Learning Summary" not in row["prompt"]


def test_length_limit_is_counted(tmp_path):
    write_run(tmp_path)
    manifest = stage.run(config(compressor="truncate", max_prompt_tokens=120), tmp_path)
    first = manifest["steps"][0]
    assert first["examples_cut"] > 0 and first["knowledge_tokens_cut"] > 0


def test_missing_teacher_output(tmp_path):
    write_run(tmp_path)
    (tmp_path / "teacher" / "knowledge.jsonl").unlink()
    with pytest.raises(DataError, match="no teacher knowledge") as err:
        stage.run(config(), tmp_path)
    assert "skintern teach" in err.value.hint


def test_cli_show_and_bad_config(rendered, tmp_path):
    run_dir, _ = rendered
    runner = CliRunner()
    args = ["curriculum", "--run-dir", str(run_dir), "show", "--example", "bbh/navigate/3"]
    result = runner.invoke(app, [*args, "--step", "2"])
    assert result.exit_code == 0, result.output
    assert "Question: Turn right. Take 7 steps." in result.output and "step 2" in result.output
    missing = runner.invoke(app, [*args[:-1], "bbh/navigate/404", "--step", "2"])
    assert missing.exit_code == 1 and "no record" in str(missing.exception)
    bad = tmp_path / "bad.yaml"
    bad.write_text("curriculum:\n  schedule: linaer\n  k: -1\n")
    result = runner.invoke(app, ["curriculum", "--config", str(bad), "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "schedule.decay" in str(result.exception) and "curriculum.k" in str(result.exception)


def test_step_files_of_an_earlier_schedule_are_removed_and_never_read(tmp_path):
    write_run(tmp_path)
    stage.run(config(compressor="truncate"), tmp_path)
    assert (tmp_path / "curriculum" / "step-4.jsonl").is_file()
    three = config(compressor="truncate", schedule={"steps": 3, "epochs": 3})
    manifest = stage.run(three, tmp_path)
    assert [s["file"] for s in manifest["steps"]] == [
        "step-1.jsonl",
        "step-2.jsonl",
        "step-3.jsonl",
    ]
    assert manifest["schedule"]["steps"] == 3 and manifest["student"] == "tiny-random"
    assert not (tmp_path / "curriculum" / "step-4.jsonl").exists()
    with pytest.raises(DataError, match="steps 1-3"):
        stage.read_step(tmp_path, 4)

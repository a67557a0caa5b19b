"""`skintern eval score-file`: the official BBH numbers reproduced from the code-davinci-002
predictions, the CLI on small real files, and every bad input as one clear error."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from skintern.cli import app
from skintern.data.loaders.bbh import TASKS
from skintern.errors import ConfigError, DataError
from skintern.eval import extract_answer, is_correct
from skintern.eval.reference import BBH_CODEX_COT
from skintern.eval.score_file import averages, last_question, read_predictions, score_files

PROMPT = (
    "Find the date.\n\nQ: What is 1 Jan 2000 plus a day?\nOptions:\n(A) 01/02/2000\n(B) 01/03/2000"
    "\nA: Let's think step by step.\nSo the answer is (A).\n\nQ: {question}\nA: Let's think step "
    "by step."
)
QUESTION = (
    "Today is Christmas Eve of 1937. What is tomorrow?\nOptions:\n(A) 12/11/1937\n(B) 12/25/1937"
)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_reproduces_the_official_bbh_codex_cot_accuracy_on_every_task(shared_root):
    folder = shared_root / "bbh" / "teacher-code-davinci-002"
    scores = score_files(sorted(folder.glob("*.json")))
    assert [s.task for s in scores] == sorted(TASKS)
    assert sum(s.n for s in scores) == 6511
    for s in scores:
        gold = json.loads((shared_root / "bbh" / "tasks" / f"{s.task}.json").read_text())
        assert s.n == len(gold["examples"]), s.task
        assert abs(s.accuracy - BBH_CODEX_COT[s.task]) <= 1.0, (s.task, s.accuracy)
    macro, micro = averages(scores)
    assert abs(macro - sum(BBH_CODEX_COT.values()) / len(BBH_CODEX_COT)) <= 1.0
    assert 70.0 < micro < 78.0


def test_public_api_is_reexported_by_eval():
    from skintern import answers

    assert extract_answer is answers.extract_answer and is_correct is answers.is_correct


def test_last_question_drops_the_few_shot_exemplars():
    assert last_question(PROMPT.format(question=QUESTION)) == QUESTION
    assert last_question(QUESTION) == QUESTION


def test_cli_scores_a_jsonl_per_task(tmp_path):
    rows = [
        {"task": "navigate", "prediction": "So the answer is Yes.", "target": "Yes"},
        {"task": "navigate", "prediction": "So the answer is", "target": "No"},  # truncated
        {"task": "object_counting", "prediction": "#### 1,2", "target": "1"},
        {"task": "object_counting", "prediction": "The answer is $4$.", "target": "4"},
        {"task": "object_counting", "prediction": "The answer is 9.", "target": "8"},
        {"task": "object_counting", "prediction": "So the answer is 3", "target": "3"},
    ]
    path = write_jsonl(tmp_path / "preds.jsonl", rows)
    result = CliRunner().invoke(app, ["eval", "score-file", str(path)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "50.0" in lines["navigate"] and "96.4" in lines["navigate"]  # ours, then the paper's
    assert "-46.4" in lines["navigate"]
    assert "75.0" in lines["object_counting"] and "93.2" in lines["object_counting"]
    assert "62.5" in lines["macro average"] and "66.7" in lines["micro average"]


def test_teacher_json_form_matches_option_text_of_the_last_question(tmp_path):
    outputs = [
        {
            "input": PROMPT.format(question=QUESTION),
            "prediction": "So the answer is 12/25/1937.",  # the text of (B), not an exemplar's
            "target": "(B)",
        }
    ]
    path = tmp_path / "date_understanding.json"
    path.write_text(json.dumps({"canary": "x", "outputs": outputs}))
    (score,) = score_files([path])
    assert (score.task, score.n, score.correct) == ("date_understanding", 1, 1)
    assert score.extractor == "option-letter v1" and score.reference == 87.2


def test_task_comes_from_the_field_then_the_option_then_the_file_stem(tmp_path):
    path = write_jsonl(
        tmp_path / "navigate.jsonl",
        [
            {"prediction": "So the answer is No.", "target": "No"},
            {"task": "web_of_lies", "prediction": "So the answer is No.", "target": "Yes"},
        ],
    )
    assert [row.task for row in read_predictions(path)] == ["navigate", "web_of_lies"]
    by_option = read_predictions(path, task="sports_understanding")
    assert [row.task for row in by_option] == ["sports_understanding", "web_of_lies"]


@pytest.mark.parametrize(
    ("content", "error", "message", "where"),
    [
        (None, DataError, "file not found", ""),
        ("", DataError, "file is empty", ""),
        ('{"prediction": "Yes", "target": "Yes"}\n{oops\n', DataError, "malformed JSON", ":2"),
        ("[1, 2]\n", DataError, "expected a JSON object", ":1"),
        ('\n{"prediction": "So the answer is Yes."}\n', DataError, "missing field 'target'", ":2"),
        ('{"target": "Yes"}\n', DataError, "missing field 'prediction'", ":1"),
        ('{"prediction": "x", "target": "Yes", "index": "7"}\n', DataError, "'index'", ":1"),
        ('{"outputs": {"a": 1}}', DataError, "'outputs' must be a list", ""),
        ('{"outputs": [{"prediction": "x"}]}', DataError, "missing field 'target'", "outputs[0]"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path, content, error, message, where):
    path = tmp_path / "navigate.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(error, match=message) as caught:
        read_predictions(path)
    assert caught.value.where.startswith(str(path)) and caught.value.where.endswith(where)


def test_unknown_task_lists_the_known_ones(tmp_path):
    path = write_jsonl(tmp_path / "preds.jsonl", [{"prediction": "Yes", "target": "Yes"}])
    with pytest.raises(ConfigError, match="unknown task 'preds' \\(from the file name\\)") as err:
        read_predictions(path)
    assert "navigate" in err.value.message and err.value.where == f"{path}:1"
    with pytest.raises(ConfigError, match="'navigat' \\(from --task\\)") as err:
        read_predictions(path, task="navigat")
    assert err.value.hint == "did you mean 'navigate'?"


def test_unknown_dataset_is_a_config_error(tmp_path):
    path = write_jsonl(tmp_path / "navigate.jsonl", [{"prediction": "Yes", "target": "Yes"}])
    with pytest.raises(ConfigError, match="cannot score dataset 'gsm9k'; known: bbh"):
        score_files([path], dataset="gsm9k")


def test_cli_error_is_one_line_and_exit_1(tmp_path):
    path = tmp_path / "navigate.jsonl"
    path.write_text('{"prediction": "So the answer is Yes."}\n')
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "eval", "score-file", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {path}:1: missing field 'target'" in result.stderr


def test_eval_without_subcommand_prints_its_help():
    result = CliRunner().invoke(app, ["eval"])
    assert result.exit_code == 0 and "score-file" in result.output

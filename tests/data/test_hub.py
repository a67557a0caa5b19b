"""The hub fallback, run offline against local copies in the hub repositories' own layout."""

import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import skintern.data as data
from skintern.data.loaders.arc import from_hub_row
from skintern.data.loaders.hub import HubSource, hub_rows
from skintern.errors import DataError

GSM8K_CARD = """---
configs:
- config_name: main
  data_files:
  - split: train
    path: main/train-*
  - split: test
    path: main/test-*
- config_name: socratic
  data_files:
  - split: test
    path: socratic/test-*
---
"""
ARC_CARD = """---
configs:
- config_name: ARC-Easy
  data_files:
  - split: test
    path: ARC-Easy/test-*
---
"""


def parquet(path, columns):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A folder of hub repositories (openai/gsm8k, allenai/ai2_arc, one hails/agieval-*)."""
    root = tmp_path / "mirror"
    gsm = root / "openai" / "gsm8k"
    parquet(
        gsm / "main/train-00000-of-00001.parquet",
        {"question": ["T?"], "answer": ["1 + 2 = <<1+2=3>>3\n#### 3"]},
    )
    parquet(
        gsm / "main/test-00000-of-00001.parquet",
        {"question": ["A?", "B?"], "answer": ["#### 1,024", "so\n#### 7"]},
    )
    parquet(
        gsm / "socratic/test-00000-of-00001.parquet", {"question": ["S?"], "answer": ["#### 9"]}
    )
    (gsm / "README.md").write_text(GSM8K_CARD)
    arc = root / "allenai" / "ai2_arc"
    parquet(
        arc / "ARC-Easy/test-00000-of-00001.parquet",
        {
            "id": ["Mercury_1"],
            "question": ["Sky?"],
            "answerKey": ["B"],
            "choices": [{"text": ["green", "blue"], "label": ["A", "B"]}],
        },
    )
    (arc / "README.md").write_text(ARC_CARD)
    query = (
        "A passage.Q: Which? Answer Choices: (A)1 (B)2 (C)3\nA: Among A through C, the answer is"
    )
    parquet(
        root / "hails/agieval-sat-math/data/test-00000-of-00001.parquet",
        {"query": [query], "choices": [["(A)1", "(B)2", "(C)3"]], "gold": [[2]]},
    )
    monkeypatch.setenv("SKINTERN_HUB_MIRROR", str(root))
    monkeypatch.setenv("SKINTERN_CACHE_DIR", str(tmp_path / "cache"))
    return root


def test_gsm8k_from_hub_layout(mirror, tmp_path):
    examples = data.load("gsm8k", "all", data_dir=tmp_path / "no-such-root")
    assert [(e.id, e.answer) for e in examples] == [
        ("gsm8k/train/0", "3"),
        ("gsm8k/test/0", "1024"),
        ("gsm8k/test/1", "7"),
    ]
    assert examples[0].meta["rationale"] == "1 + 2 = 3"


def test_local_file_wins_over_hub(mirror, tmp_path):
    (tmp_path / "gsm8k").mkdir()
    (tmp_path / "gsm8k/test.jsonl").write_text('{"question": "L?", "answer": "#### 5"}\n')
    assert [e.question for e in data.load("gsm8k", "test", data_dir=tmp_path)] == ["L?"]


def test_agieval_from_hub_layout(mirror, tmp_path):
    (example,) = data.load("agieval", task="sat-math", data_dir=tmp_path)
    assert example.question == "A passage.\n\nWhich?\nOptions:\n(A) 1\n(B) 2\n(C) 3"
    assert (example.answer, example.options, example.id) == (
        "C",
        ("1", "2", "3"),
        "agieval/sat-math/0",
    )
    with pytest.raises(DataError, match="no mirror folder") as info:  # all 8 subsets wanted
        data.load("agieval", data_dir=tmp_path)
    assert info.value.where == str(tmp_path / "agieval" / "aqua-rat.jsonl")


def test_arc_rows_from_hub_layout(mirror, tmp_path):
    source = HubSource("allenai/ai2_arc", "ARC-Easy", "test")
    (row,) = hub_rows(source, missing=tmp_path / "arc/ARC-Easy-Test.json")
    assert from_hub_row(row) == ("Question: Sky?\nOptions:\n(A) green\n(B) blue", "(B)")


def test_hub_off_names_the_missing_file_and_how_to_get_it(tmp_path):
    with pytest.raises(DataError, match="^.*file not found$") as info:
        data.load("gsm8k", "test", data_dir=tmp_path)
    assert info.value.where == str(tmp_path / "gsm8k" / "test.jsonl")
    assert "SKINTERN_ALLOW_HUB=1" in info.value.hint and "openai/gsm8k" in info.value.hint


def test_hub_on_without_network_is_one_clear_error(tmp_path):
    env = {
        **os.environ,
        "SKINTERN_ALLOW_HUB": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
        "COLUMNS": "400",
        "SKINTERN_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("SKINTERN_HUB_MIRROR", None)
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "data", "stats", "gsm8k", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{tmp_path / 'gsm8k'}" in result.stderr and "could not be loaded" in result.stderr
    assert "openai/gsm8k" in result.stderr

"""The data stage's typed manifest: readers take exactly the files it lists (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skintern.data.config import DataConfig
from skintern.data.stage import read_split, run
from skintern.errors import DataError

SYNTHETIC = {"name": "synthetic", "tasks": ["object_counting"], "limit": 3}


def user_file(tmp_path: Path) -> dict:
    path = tmp_path / "mine.jsonl"
    rows = [{"question": f"What is {i} + 1?", "answer": str(i + 1)} for i in range(4)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return {"name": "mine", "path": str(path)}


def test_a_dataset_of_an_earlier_config_is_never_read(tmp_path: Path):
    run_dir = tmp_path / "run"
    both = DataConfig(train=[SYNTHETIC], test=[SYNTHETIC, user_file(tmp_path)])
    run(both, run_dir)
    assert {e.dataset for e in read_split(run_dir, "test")} == {"synthetic", "mine"}

    run(DataConfig(train=[SYNTHETIC], test=[SYNTHETIC]), run_dir)  # same run directory
    assert {e.dataset for e in read_split(run_dir, "test")} == {"synthetic"}
    assert not (run_dir / "data" / "test" / "mine.jsonl").exists()
    # A file put there by hand is not the data stage's: never read either.
    (run_dir / "data" / "test" / "extra.jsonl").write_text(
        (run_dir / "data" / "test" / "synthetic.jsonl").read_text()
    )
    assert len(read_split(run_dir, "test")) == 3


def test_the_manifest_lists_the_files_readers_take(tmp_path: Path):
    from skintern.data.manifest import read_data_manifest, split_files

    run_dir = tmp_path / "run"
    run(DataConfig(train=[SYNTHETIC], test=[SYNTHETIC, user_file(tmp_path)]), run_dir)
    manifest = read_data_manifest(run_dir)
    assert [f.file for f in manifest.files["test"]] == ["test/synthetic.jsonl", "test/mine.jsonl"]
    assert [f.examples for f in manifest.files["test"]] == [3, 4]
    assert split_files(run_dir, "train") == [run_dir / "data" / "train" / "synthetic.jsonl"]


def test_no_manifest_or_a_missing_file_says_to_run_the_data_stage(tmp_path: Path):
    run_dir = tmp_path / "run"
    (run_dir / "data" / "test").mkdir(parents=True)
    (run_dir / "data" / "test" / "x.jsonl").write_text('{"id": "x"}\n')
    with pytest.raises(DataError, match="no manifest") as err:
        read_split(run_dir, "test")
    assert "skintern data" in err.value.hint
    run(DataConfig(train=[SYNTHETIC]), run_dir)
    with pytest.raises(DataError, match="no test data"):
        read_split(run_dir, "test")
    (run_dir / "data" / "train" / "synthetic.jsonl").unlink()
    with pytest.raises(DataError, match="gone"):
        read_split(run_dir, "train")


def test_two_datasets_of_one_name_in_a_split_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="names synthetic more than once"):
        DataConfig(test=[SYNTHETIC, {**SYNTHETIC, "tasks": ["navigate"]}])

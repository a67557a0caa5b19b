"""build_once: builds once, never leaves a half folder, rebuilds a stale format."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from skintern.errors import ModelError
from skintern.models.cache import MARKER, build_once, is_current


def writer(calls):
    def build(out):
        calls.append(out)
        (out / "config.json").write_text("{}", encoding="utf-8")
        return {"source": "test"}

    return build


def test_builds_once_then_reuses(tmp_path):
    calls = []
    first = build_once("m", 1, writer(calls), root=tmp_path)
    second = build_once("m", 1, writer(calls), root=tmp_path)
    assert first == second == tmp_path / "m"
    assert len(calls) == 1
    info = json.loads((first / MARKER).read_text(encoding="utf-8"))
    assert info["format"] == 1 and info["source"] == "test" and "versions" in info
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["m"]


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    def broken(out):
        (out / "model.safetensors").write_bytes(b"half")
        raise RuntimeError("killed mid-way")

    with pytest.raises(RuntimeError):
        build_once("m", 1, broken, root=tmp_path)
    assert not (tmp_path / "m").exists()
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]


def test_leftovers_of_a_killed_build_are_swept_and_stale_formats_rebuilt(tmp_path):
    leftover = tmp_path / ".m.tmp-dead"
    leftover.mkdir()
    (leftover / "model.safetensors").write_bytes(b"half")
    calls = []
    build_once("m", 1, writer(calls), root=tmp_path)
    assert not leftover.exists()
    assert is_current(tmp_path / "m", 1) and not is_current(tmp_path / "m", 2)
    build_once("m", 2, writer(calls), root=tmp_path)
    assert len(calls) == 2 and is_current(tmp_path / "m", 2)


def test_a_folder_without_marker_is_not_taken_for_a_model(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}", encoding="utf-8")
    calls = []
    build_once("m", 1, writer(calls), root=tmp_path)
    assert len(calls) == 1


def test_concurrent_callers_build_once(tmp_path):
    # Each thread opens the lock file itself, as separate processes would.
    calls = []

    def slow(out):
        time.sleep(0.3)
        return writer(calls)(out)

    with ThreadPoolExecutor(max_workers=3) as pool:
        paths = list(pool.map(lambda _: build_once("m", 1, slow, root=tmp_path), range(3)))
    assert paths == [tmp_path / "m"] * 3
    assert len(calls) == 1


def test_a_build_without_config_is_refused_and_a_cached_one_rebuilt(tmp_path):
    # save_pretrained on a data-parallel rank other than 0 writes nothing but the tokenizer
    def tokenizer_only(out):
        (out / "tokenizer.json").write_text("{}", encoding="utf-8")
        return {"source": "test"}

    with pytest.raises(ModelError, match="wrote no config.json"):
        build_once("m", 1, tokenizer_only, root=tmp_path)
    assert not (tmp_path / "m").exists()
    broken = tmp_path / "m"  # such a folder cached by an older skintern is rebuilt
    broken.mkdir()
    (broken / MARKER).write_text(json.dumps({"format": 1}), encoding="utf-8")
    assert not is_current(broken, 1)
    calls = []
    assert build_once("m", 1, writer(calls), root=tmp_path) == broken
    assert len(calls) == 1 and (broken / "config.json").is_file()

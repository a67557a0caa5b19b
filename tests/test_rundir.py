import json

import pytest

from skintern.rundir import atomic_open, fingerprint, write_jsonl, write_manifest


def test_atomic_open_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out" / "file.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("half")
            raise RuntimeError("killed")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_atomic_open_replaces_whole_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("old")
    with atomic_open(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"


def test_write_jsonl_counts_and_roundtrips(tmp_path):
    n = write_jsonl(tmp_path / "x.jsonl", ({"i": i, "s": "é"} for i in range(3)))
    lines = (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
    assert n == 3 and [json.loads(x)["i"] for x in lines] == [0, 1, 2]
    assert "é" in lines[0]


def test_manifest_records_versions(tmp_path):
    manifest = write_manifest(tmp_path, stage="data", counts={"a": 1})
    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk == json.loads(json.dumps(manifest))
    assert {"python", "skintern", "torch"} <= set(on_disk["versions"])


def test_fingerprint_changes_with_content(tmp_path):
    path = tmp_path / "f"
    path.write_text("a")
    first = fingerprint(path)
    path.write_text("b")
    assert fingerprint(path) != first


def test_atomic_files_get_normal_permissions(tmp_path):
    import os

    write_jsonl(tmp_path / "p.jsonl", [{"a": 1}])
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "p.jsonl").stat().st_mode & 0o777 == 0o666 & ~mask

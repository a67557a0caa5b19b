"""The codebase's own rules, enforced in CI: import layers and lint."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (make setup installs it)")
    return found


def test_import_layers_are_kept():
    result = subprocess.run(
        [tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = subprocess.run(
        [tool("ruff"), "check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_cli_and_config_start_without_torch():
    """`skintern --help`, `data stats` and config errors must be instant: no torch at import."""
    code = (
        "import sys, skintern.cli, skintern.config, skintern.data, skintern.eval; "
        "heavy = [m for m in ('torch', 'transformers', 'peft', 'sentence_transformers') "
        "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"imported at start-up: {result.stdout}{result.stderr}"


def test_test_files_have_unique_names():
    """pytest's default import mode needs unique basenames (tests/ has no __init__.py)."""
    names = [path.name for path in (ROOT / "tests").rglob("*.py")]
    assert sorted({n for n in names if names.count(n) > 1} - {"conftest.py"}) == []


# Files in a plug-in folder that are shared parts, not plug-ins.
SHARED_PARTS = {"__init__", "base", "cache", "words"}


@pytest.mark.parametrize(
    ("folder", "contract"),
    [
        ("train/methods", "methods are independent"),
        ("curriculum/compressors", "compressors are independent"),
        ("teacher/backends", "teacher backends are independent"),
    ],
)
def test_independence_contracts_name_every_plugin(folder: str, contract: str):
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (found,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == contract]
    package = "skintern." + folder.replace("/", ".")
    plugins = {
        f"{package}.{path.stem}"
        for path in (ROOT / "src" / "skintern" / folder).glob("*.py")
        if path.stem not in SHARED_PARTS
    }
    assert set(found["modules"]) == plugins

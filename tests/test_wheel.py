"""A wheel built from the checkout ships the configs, and an installed copy finds them from a
folder outside the checkout: `skintern demo` needs no `configs/` beside it.

The wheel is built from a copy of the working tree's files (what a fresh clone holds), with
this environment's setuptools (no build isolation, no index), and installed with --no-deps into
a fresh venv that borrows this environment's dependencies through a .pth file, so nothing is
downloaded and nothing of the checkout is importable there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from skintern.paths import shipped_configs

ROOT = Path(__file__).resolve().parents[1]


def checkout_files() -> list[str]:
    """Tracked and untracked-but-not-ignored files of the checkout (a fresh clone, plus edits)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and os.path.lexists(ROOT / name)]


def copy_checkout(target: Path) -> Path:
    for name in checkout_files():
        source, dest = ROOT / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # src/skintern/configs -> ../../configs stays a link
            dest.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, dest)
    return target


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    repo = copy_checkout(work / "repo")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                "-w", work / "dist", repo, cwd=work)  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = (work / "dist").glob("skintern-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed and this environment's packages borrowed."""
    target = tmp_path_factory.mktemp("venv") / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", target, cwd=target.parent)
    assert made.returncode == 0, made.stderr
    python = target / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=target.parent).stdout.strip()  # fmt: skip
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # Plain path lines: the borrowed folder's own .pth files (our editable install) never run.
    (Path(purelib) / "borrowed-deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    installed = run(sys.executable, "-m", "pip", "--disable-pip-version-check", "--python",
                    python, "install", "--no-deps", "--no-index", "-q", wheel,
                    cwd=target.parent)  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return target


def test_wheel_holds_every_shipped_config_and_no_tests(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert shipped_configs()  # the checkout's configs/, found by a recursive glob
    assert {f"skintern/configs/{name}" for name in shipped_configs()} <= set(names)
    shipped = {"skintern/configs/demo.yaml", "skintern/configs/paper/llama2-7b.yaml"}
    assert shipped | {"skintern/report/bbh_seeds.json"} <= set(names)  # the demo's BBH line
    assert not [n for n in names if n.startswith(("tests/", "configs/", "benchmarks/"))]


def test_installed_demo_finds_its_config_outside_the_checkout(venv: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"COLUMNS": "200"}
    skintern = venv / "bin" / "skintern"  # the console script the wheel declares
    where = run(venv / "bin" / "python", "-c", "import skintern; print(skintern.__file__)",
                cwd=tmp_path, env=env)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    helped = run(skintern, "demo", "--help", cwd=tmp_path, env=env)
    assert helped.returncode == 0, helped.stderr
    assert "shipped demo.yaml" in helped.stdout

    listed = run(skintern, "configs", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert all(name in listed.stdout for name in shipped_configs())
    path = run(skintern, "configs", "demo.yaml", cwd=tmp_path, env=env).stdout.strip()
    assert Path(path).is_relative_to(venv) and Path(path).is_file()

    # The demo reads its shipped config and checks the override against it, then stops: a bad
    # value is the quickest way to see which file it read without running the 10-minute demo.
    stopped = run(skintern, "demo", "train.lr=fast", "--run-dir", tmp_path / "run",
                  cwd=tmp_path, env=env)  # fmt: skip
    assert stopped.returncode == 1
    assert f"{path}: train.lr" in stopped.stderr.replace("\n", ""), stopped.stderr
    # The README's `configs/...` paths work there too.
    other = run(skintern, "data", "-c", "configs/demo.yaml", "data.seed=x", "--run-dir",
                tmp_path / "run", cwd=tmp_path, env=env)  # fmt: skip
    assert other.returncode == 1 and "using the shipped" in other.stderr, other.stderr
    assert not (tmp_path / "run").exists()

"""Fixtures for training tests (helpers in train_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from train_fixtures import write_run


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run")


@pytest.fixture(scope="session")
def tiny():
    """The tiny-random student (built once per machine by skintern.models)."""
    from skintern.models import load_model

    return load_model("tiny-random")

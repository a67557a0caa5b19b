"""Fixtures for pipeline tests (helpers in pipeline_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_fixtures import tiny_config

from skintern.pipeline import run_pipeline


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole tiny demo run, uninterrupted (shared by a module's tests: read, never change)."""
    run_dir = tmp_path_factory.mktemp("finished") / "run"
    run_pipeline(tiny_config(), run_dir, log=lambda _: None)
    return run_dir

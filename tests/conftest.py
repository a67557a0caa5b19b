"""Shared fixtures: the shared benchmark data root (skipped when absent), hub access off."""

import pytest

from skintern.errors import DataError
from skintern.paths import data_root


@pytest.fixture
def shared_root():
    """`../shared/data` (or $SKINTERN_DATA_DIR); the test is skipped when it is absent."""
    try:
        return data_root()
    except DataError:
        pytest.skip("shared data folder ../shared/data absent (set SKINTERN_DATA_DIR)")


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch):
    """No test falls back to the Hugging Face hub unless it turns the fallback on itself."""
    monkeypatch.delenv("SKINTERN_ALLOW_HUB", raising=False)
    monkeypatch.delenv("SKINTERN_HUB_MIRROR", raising=False)

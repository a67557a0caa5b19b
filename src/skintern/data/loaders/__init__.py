"""Importing this package registers every dataset loader with `skintern.data.registry.datasets`."""

from skintern.data.loaders import agieval, arc, bbh, gsm8k  # noqa: F401
from skintern.data.loaders import synthetic  # noqa: F401

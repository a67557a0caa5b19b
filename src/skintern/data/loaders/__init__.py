"""Importing this package registers every dataset loader with `skintern.data.registry.datasets`."""

from skintern.data.loaders import bbh  # noqa: F401

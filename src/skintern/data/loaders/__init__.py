"""Importing this package registers every dataset loader with `skintern.data.registry.datasets`."""

from skintern.data.loaders import (  # noqa: F401
    agieval,
    arc,
    bbh,
    bigbench,
    gsm8k,
    olmo,
    synthetic,
)

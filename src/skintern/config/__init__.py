"""The run config: one typed section per stage, composed here (stages never import this)."""

from skintern.config.loading import dump_config, load_config
from skintern.config.run import RunConfig

__all__ = ["RunConfig", "dump_config", "load_config"]

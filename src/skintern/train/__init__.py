"""Stage `train`: the method registry, the shared progressive trainer, checkpoint and resume.

`skintern train --config CONFIG --run-dir RUN` (see `skintern.train.stage`).
"""

from skintern.train.config import TrainConfig
from skintern.train.methods import Method, MethodContext, TrainRecord, methods

__all__ = ["Method", "MethodContext", "TrainConfig", "TrainRecord", "methods"]

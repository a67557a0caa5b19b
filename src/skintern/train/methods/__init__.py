"""The method registry: every distillation method and prompting baseline, one module each.

from skintern.train.methods import methods
method = methods.get("std-cot")
"""

from skintern.train.methods import (  # noqa: F401  (each module registers its method)
    cascod,
    few_shot_cot,
    ft,
    kaft,
    kard,
    mt_cot,
    skintern,
    std_cot,
    step_by_step,
    zero_shot,
    zero_shot_cot,
)
from skintern.train.methods.base import Method, MethodContext, TrainRecord, methods

__all__ = ["Method", "MethodContext", "TrainRecord", "methods"]

"""The method registry: every distillation method and prompting baseline, one module each.

from skintern.train.methods import methods
method = methods.get("std-cot")

Every module of this package but `base` is imported here, and registers its method as it loads:
a new method is a new file, with no list to extend.
"""

import importlib
import pkgutil

from skintern.train.methods.base import Input, Method, MethodContext, TrainRecord, methods

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Input", "Method", "MethodContext", "TrainRecord", "methods"]

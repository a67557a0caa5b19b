"""Teacher backends behind one interface (`base.Backend`), one registry (`backends`).

Importing this package registers every backend; heavy dependencies (torch, vllm) are imported
only inside the backend that uses them.
"""

from skintern.teacher.backends import (  # noqa: F401  (registers every backend)
    gold,
    openai_http,
    replay,
    transformers_local,
    vllm_local,
)
from skintern.teacher.backends.base import (
    Backend,
    Completion,
    Failure,
    Request,
    Result,
    Sampling,
    backends,
)

__all__ = ["Backend", "Completion", "Failure", "Request", "Result", "Sampling", "backends"]

"""Teacher stage: CoT rationales and symbolic knowledge from any LLM, cached and resumable.

Python entry point: `skintern.teacher.stage.run(cfg, run_dir)`; CLI: `skintern teach`.
Backends (`backends` registry): openai-http, transformers, vllm, replay.
"""

from skintern.teacher.backends import backends
from skintern.teacher.config import TeacherConfig

__all__ = ["TeacherConfig", "backends"]

"""The whole chain in one call, and the distilled student put to use.

- `run_pipeline(cfg, run_dir)`: data, teach, curriculum, train (every method), eval, report,
  skipping what is current and resuming what was interrupted (`skintern run`, `skintern demo`).
- `skintern.pipeline.student`: answer questions with a run's student (`skintern predict`).
- `skintern.pipeline.export`: merge and write a Hugging Face folder (`skintern export`).

This layer sits above the config and every stage, below the CLI.
"""

from skintern.pipeline.runner import StageResult, run_pipeline
from skintern.pipeline.stages import Hooks

__all__ = ["Hooks", "StageResult", "run_pipeline"]

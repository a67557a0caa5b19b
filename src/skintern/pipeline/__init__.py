"""The whole chain in one call, and the distilled student put to use.

- `run_pipeline(cfg, run_dir)`: data, teach, curriculum, train (every method), eval, report,
  skipping what is current and resuming what was interrupted (`skintern run`, `skintern demo`).
- `skintern.pipeline.student`: answer questions with a run's student (`skintern predict`).
- `skintern.pipeline.export`: a Hugging Face folder, merged or adapter-only, with the named chat
  template `trained_prompt` (`prompt_template`) and a model card (`card`, `card_facts`,
  `card_snippets`) (`skintern export`).
- `skintern.pipeline.trl_data`: each schedule step's records as TRL datasets
  (`skintern curriculum export --format trl`).

This layer sits above the config and every stage, below the CLI.
"""

from skintern.pipeline.runner import StageResult, run_pipeline
from skintern.pipeline.stages import Hooks

__all__ = ["Hooks", "StageResult", "run_pipeline"]

"""`skintern eval harness`: lm-evaluation-harness on a run's students, beside `skintern eval`.

- `tasks`: a local lm-eval task (YAML + JSONL) per method and test dataset, same prompts;
- `compare`: per question, both sides' verdicts and the gap split into generation, regex, stop;
- `run`: `run_harness(run_dir, HarnessOptions(...))` runs lm-eval in-process and writes
  `RUN/eval/harness/{summary.json,harness.md}`.

lm-eval is the optional extra `skintern[harness]`; it is imported only when the command runs.
"""

from skintern.pipeline.harness.run import HarnessOptions, run_harness

__all__ = ["HarnessOptions", "run_harness"]

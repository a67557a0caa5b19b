"""Stage `curriculum`: schedules, example retrieval, knowledge compression and step rendering.

`skintern curriculum --config CONFIG --run-dir RUN` writes `RUN/curriculum/step-t.jsonl` per
schedule step (see `skintern.curriculum.stage`).
"""

"""lm-evaluation-harness task files for a run's test questions: one task per method and dataset.

Writes `RUN/eval/harness/METHOD/DATASET/docs.jsonl` (one row per question: id, task, the model
input `prompt`, the gold `target`) and `task.yaml` beside it: `dataset_path: json` with
`data_files` pointing at the docs, so lm-eval reads local files and never the hub.

The prompt is the method's inference prompt after the chat template, built by skintern's own code
(`Method.inference_prompt`, `skintern.models.chat.format_prompt`), so lm-eval sends the model the
same text as `skintern eval`; `doc_to_text` names the field, so lm-eval's Jinja never touches it.
Decoding is greedy with the run's token cap and stop strings. The filter and metric are lm-eval's
own for BBH zero-shot CoT (`bbh_cot_zeroshot_*`, "strict-match"), copied verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from skintern.data.example import Example
from skintern.models.chat import format_prompt
from skintern.models.decoding import Decoding
from skintern.rundir import atomic_open, write_jsonl
from skintern.train.methods import Method, MethodContext

# lm_eval/tasks/bbh/cot_zeroshot/*.yaml, filter "strict-match" (lm-eval 0.4.13).
BBH_STRICT_REGEX = (
    r"((?<=The answer is )(.*)(?=.)|(?<=the answer is )(.*)(?=.)"
    r"|(?<=The answer: )(.*)(?=.)|(?<=The final answer: )(.*)(?=.))"
)
# lm_eval/tasks/bbh/cot_zeroshot/_cot_zeroshot_template_yaml, metric exact_match.
BBH_EXACT_MATCH: dict[str, Any] = {
    "ignore_case": True,
    "regexes_to_ignore": ["\\.$", ",", "\\\\", "\n", '"'],
}
FILTER = "strict-match"
METRIC = "exact_match"


@dataclass(frozen=True)
class HarnessTask:
    """One written task: its lm-eval name, folder, and the questions it asks."""

    name: str
    method: str
    dataset: str
    folder: Path
    examples: tuple[Example, ...]


def task_name(method: str, dataset: str) -> str:
    """The lm-eval task name (`skintern_std_cot_synthetic`): letters, digits, underscores."""
    return re.sub(r"\W+", "_", f"skintern_{method}_{dataset}").lower()


def doc_rows(
    examples: Sequence[Example], method: Method, ctx: MethodContext, tokenizer: Any
) -> list[dict[str, Any]]:
    """One lm-eval doc per example: `prompt` is the exact model input `skintern eval` builds."""
    return [
        {
            "id": ex.id,
            "task": ex.task,
            "plain_prompt": (plain := method.inference_prompt(ex, ctx, 1)),
            "prompt": format_prompt(tokenizer, plain),
            "target": ex.answer,
        }
        for ex in examples
    ]


def task_config(name: str, docs: Path, sampling: Decoding) -> dict[str, Any]:
    """The task YAML as a dict: local JSON docs, greedy decoding, lm-eval's BBH CoT scoring."""
    return {
        "task": name,
        "dataset_path": "json",
        "dataset_kwargs": {
            "data_files": {"test": str(docs.resolve())},
            "cache_dir": str((docs.parent / "datasets_cache").resolve()),
        },
        "test_split": "test",
        "output_type": "generate_until",
        "doc_to_text": "prompt",
        "doc_to_target": "target",
        "num_fewshot": 0,
        "generation_kwargs": {
            "until": list(sampling.stop),
            "do_sample": False,
            "max_gen_toks": sampling.max_new_tokens,
        },
        "filter_list": [
            {
                "name": FILTER,
                "filter": [
                    {"function": "regex", "regex_pattern": BBH_STRICT_REGEX},
                    {"function": "take_first"},
                ],
            }
        ],
        "metric_list": [
            {"metric": METRIC, "aggregation": "mean", "higher_is_better": True, **BBH_EXACT_MATCH}
        ],
        "metadata": {"version": 1.0},
    }


def write_task(
    folder: Path,
    method: Method,
    ctx: MethodContext,
    examples: Sequence[Example],
    tokenizer: Any,
    sampling: Decoding,
) -> HarnessTask:
    """Write `docs.jsonl` and `task.yaml` for one method and dataset into `folder`."""
    dataset = examples[0].dataset
    name = task_name(method.name, dataset)
    docs = folder / "docs.jsonl"
    write_jsonl(docs, doc_rows(examples, method, ctx, tokenizer))
    with atomic_open(folder / "task.yaml") as handle:
        yaml.safe_dump(task_config(name, docs, sampling), handle, sort_keys=False, width=1000)
    return HarnessTask(name, method.name, dataset, folder, tuple(examples))

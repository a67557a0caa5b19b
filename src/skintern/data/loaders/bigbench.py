"""BIG-bench tasks from the `bigbench==1.0.0` sdist: BB-sub (`bbsub`) and StrategyQA (`strategyqa`).

Reads: `CACHE/downloads/bigbench-1.0.0.tar.gz` (358 MB, fetched once by
`scripts/fetch_bigbench.sh`, which `make setup` runs; CACHE is `skintern.paths.cache_dir()`).
Only the `task.json` members are read, streamed with `tarfile` (the archive is never unpacked), in
one pass of about 30 s; what the loaders need is cached as JSON under `CACHE/bigbench/1.0.0-v1/`
(`bbsub-seed<N>.json` per sampling seed, `strategyqa/examples.json`), so later loads are fast.

BB-sub, the out-of-domain set of the CasCoD and SKIntern papers: the BIG-bench JSON tasks whose
`task.json` keywords include "multiple choice", less every BIG-bench task a BBH task comes from
(`BBH_SOURCES`: `logical_deduction_three_objects` -> `logical_deduction`, ...), each cut to at most
100 random questions. A task with subtasks (`<task>/<subtask>/task.json`) pools its subtasks.
Eligible examples have `target_scores` with one best choice and 2 to 26 choices, or more choices
that are all numbers (`intersect_geometry`'s "0".."40", kept as number questions). The 100 kept
are those with the smallest sha256 of (seed, task, subtask, index): a seeded uniform sample taken
in one streaming pass. Options are shuffled once per example, seeded by its id alone (several
tasks always list the right answer first), rendered "Options:" / "(A) text" after the question;
`answer` is the letter. Seed 0 gives 59 tasks and 4,946 questions; the papers report 5,384 from
their own task list, which they did not publish. BB-sub is a test set only; `task=` selects one
BIG-bench task.

StrategyQA: the BIG-bench `strategyqa` task (2,290 yes/no questions; `target_scores` {Yes, No},
`target` "Yes. <explanation>"): answer `Yes`/`No` (type yes_no), the explanation in
`meta["rationale"]`; seeded 80/20 train/test split.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import random
import re
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skintern.data.example import AnswerType, Example
from skintern.data.loaders.bbh import TASKS as BBH_TASKS
from skintern.data.loaders.files import LETTERS, parse_number, render_question
from skintern.data.registry import datasets
from skintern.data.split import check_split, split_items
from skintern.errors import ConfigError, DataError
from skintern.files import read_json
from skintern.paths import cache_dir
from skintern.registry import did_you_mean
from skintern.rundir import atomic_open, write_json

SDIST = "bigbench-1.0.0.tar.gz"
SDIST_SHA256 = "1bb398a5512c6d798cdebe0dfa0ac03f67f6033fa6b39c6ef71df978c7cbc5c2"
CACHE_VERSION = "1.0.0-v1"  # bump when the cached rows change shape
KEYWORD = "multiple choice"
MAX_PER_TASK = 100
STRATEGYQA = "strategyqa"
FETCH = "sh scripts/fetch_bigbench.sh"
# BBH task -> the BIG-bench task folder it was taken from, where the names differ.
BBH_SOURCES = {
    "causal_judgement": "causal_judgment",
    "formal_fallacies": "formal_fallacies_syllogisms_negation",
    "multistep_arithmetic_two": "multistep_arithmetic",
    **{f"logical_deduction_{n}_objects": "logical_deduction" for n in ("three", "five", "seven")},
    **{
        f"tracking_shuffled_objects_{n}_objects": "tracking_shuffled_objects"
        for n in ("three", "five", "seven")
    },
}
EXCLUDED = frozenset(BBH_SOURCES.get(task, task) for task in BBH_TASKS)
_NUMBER = AnswerType.NUMBER
_KEYWORDS = re.compile(rb'"keywords"\s*:\s*\[(.*?)\]', re.DOTALL)
_MEMBER = re.compile(r"^[^/]+/bigbench/benchmark_tasks/([^/]+)/(?:([^/]+)/)?task\.json$")


def sdist_path() -> Path:
    return cache_dir() / "downloads" / SDIST


def cache_folder() -> Path:
    return cache_dir() / "bigbench" / CACHE_VERSION


def _require_sdist() -> Path:
    path = sdist_path()
    if not path.is_file():
        raise DataError(
            "the BIG-bench sdist is not downloaded",
            where=str(path),
            hint=f"run `{FETCH}` (358 MB, a few seconds; `make setup` does it)",
        )
    return path


def _peek_keywords(raw: bytes) -> list[str] | None:
    """A task.json's keywords without parsing the whole file (some are 70 MB), or None."""
    match = _KEYWORDS.search(raw, 0, 200_000)
    if not match:
        return None
    try:
        return [str(word) for word in json.loads(b"[" + match.group(1) + b"]")]
    except json.JSONDecodeError:
        return None


def iter_tasks(sdist: Path) -> Iterator[tuple[str, str, bytes]]:
    """(task, subtask or "", raw task.json) of every JSON task, streamed in archive order."""
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            for member in archive:
                match = _MEMBER.match(member.name)
                handle = archive.extractfile(member) if match and member.isfile() else None
                if match and handle is not None:
                    yield match.group(1), match.group(2) or "", handle.read()
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(
            f"cannot read the archive ({err})",
            where=str(sdist),
            hint=f"delete it and run `{FETCH}` again",
        ) from None


def choice_row(example: dict[str, Any]) -> tuple[list[str], int] | None:
    """An example's (choices, index of the best) from `target_scores`; None unless it has one
    best choice and 2 to 26 choices, or more choices that are all numbers (a number question)."""
    scores = example.get("target_scores")
    if not isinstance(scores, dict) or not isinstance(example.get("input"), str):
        return None
    choices, values = [str(choice) for choice in scores], list(scores.values())
    if len(values) < 2 or not all(isinstance(v, int | float) for v in values):
        return None
    if len(values) > len(LETTERS) and any(parse_number(c) is None for c in choices):
        return None
    best = max(values)
    return (choices, values.index(best)) if values.count(best) == 1 else None


def sample_key(seed: int, task: str, subtask: str, index: int) -> bytes:
    """The seeded sort key that picks BB-sub's questions (the same on every machine)."""
    return hashlib.sha256(f"{seed}:{task}/{subtask}/{index}".encode()).digest()


class _Extraction:
    """One pass over the archive: the seeded BB-sub sample and the StrategyQA rows."""

    def __init__(self, seed: int):
        self.seed = seed
        self.keywords: dict[str, list[str]] = {}  # task -> keywords of its top task.json
        self.heaps: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.eligible: dict[str, int] = {}
        self.strategyqa: list[dict[str, Any]] = []

    def add(self, task: str, subtask: str, raw: bytes) -> None:
        keywords = _peek_keywords(raw)
        # Unreadable keywords (None) make a candidate: it is parsed in full, kept or not at the end.
        candidate = (
            task == STRATEGYQA or task not in EXCLUDED and KEYWORD in (keywords or [KEYWORD])
        )
        if not candidate and subtask:
            return
        content = json.loads(raw) if candidate or keywords is None else {"keywords": keywords}
        if not subtask:
            self.keywords[task] = [str(word) for word in content.get("keywords") or []]
        if task == STRATEGYQA:
            self.strategyqa += content.get("examples") or []
        elif candidate:
            self._sample(task, subtask, content)

    def _sample(self, task: str, subtask: str, content: dict[str, Any]) -> None:
        heap = self.heaps.setdefault(task, [])
        prefix = str(content.get("task_prefix") or "").strip()
        for index, example in enumerate(content.get("examples") or []):
            parsed = choice_row(example)
            if parsed is None:
                continue
            self.eligible[task] = self.eligible.get(task, 0) + 1
            row = {"subtask": subtask, "index": index, "prefix": prefix,
                   "input": example["input"], "choices": parsed[0], "gold": parsed[1]}  # fmt: skip
            # Keep the 100 smallest keys: a max-heap on the negated key (bytes -> int).
            item = (-int.from_bytes(sample_key(self.seed, task, subtask, index)), row)
            if len(heap) < MAX_PER_TASK:
                heapq.heappush(heap, item)
            elif item[0] > heap[0][0]:
                heapq.heapreplace(heap, item)

    def bbsub(self) -> dict[str, Any]:
        tasks = {}
        for task in sorted(self.heaps):
            if task in self.keywords and KEYWORD in self.keywords[task] and self.heaps[task]:
                rows = sorted((row for _, row in self.heaps[task]),
                              key=lambda r: (r["subtask"], r["index"]))  # fmt: skip
                tasks[task] = {"eligible": self.eligible[task], "rows": rows}
        return {"seed": self.seed, "tasks": tasks}


def extract(sdist: Path, seed: int) -> dict[str, Any]:
    """Read the archive once; write and return the BB-sub cache for `seed` (and StrategyQA's)."""
    started = time.time()
    pass_ = _Extraction(seed)
    for task, subtask, raw in iter_tasks(sdist):
        try:
            pass_.add(task, subtask, raw)
        except json.JSONDecodeError as err:
            where = f"{sdist}: {task}/{subtask + '/' if subtask else ''}task.json:{err.lineno}"
            raise DataError(f"malformed JSON: {err.msg}", where=where) from None
    bbsub = {**pass_.bbsub(), "seconds": round(time.time() - started, 1)}
    if not bbsub["tasks"] and not pass_.strategyqa:
        raise DataError("no BIG-bench JSON tasks found in the archive", where=str(sdist))
    write_json(cache_folder() / STRATEGYQA / "examples.json", pass_.strategyqa)
    write_json(cache_folder() / f"bbsub-seed{seed}.json", bbsub)
    return bbsub


def bbsub_rows(seed: int) -> dict[str, Any]:
    """The cached BB-sub sample for `seed`, extracted from the sdist on first use."""
    path = cache_folder() / f"bbsub-seed{seed}.json"
    return read_json(path) if path.is_file() else extract(_require_sdist(), seed)


def strategyqa_rows(seed: int) -> list[dict[str, Any]]:
    path = cache_folder() / STRATEGYQA / "examples.json"
    if not path.is_file():
        extract(_require_sdist(), seed)
    rows = read_json(path)
    if not rows:
        raise DataError("the archive has no strategyqa task", where=str(sdist_path()))
    return rows


def bbsub_example(task: str, row: dict[str, Any]) -> Example:
    """One cached BB-sub row as a multiple-choice `Example` (options shuffled by its id), or a
    number question when it has more choices than letters (`intersect_geometry`: "0".."40")."""
    subtask, index = row["subtask"], row["index"]
    key = f"{task}/{subtask}/{index}" if subtask else f"{task}/{index}"
    text = f"{row['prefix']}\n\n{row['input'].strip()}" if row["prefix"] else row["input"]
    meta = {"subtask": subtask, "index": index} if subtask else {"index": index}
    if len(row["choices"]) > len(LETTERS):
        answer = str(parse_number(row["choices"][row["gold"]]))
        return Example(f"bbsub/{key}", "bbsub", task, text.strip(), answer, _NUMBER, meta=meta)
    order = list(range(len(row["choices"])))
    random.Random(f"bbsub-options:{key}").shuffle(order)
    options = tuple(str(row["choices"][i]).strip() for i in order)
    return Example(
        id=f"bbsub/{key}",
        dataset="bbsub",
        task=task,
        question=render_question(text, options),
        answer=LETTERS[order.index(row["gold"])],
        answer_type=AnswerType.OPTION,
        options=options,
        meta=meta,
    )


@datasets.register("bbsub")
def load_bbsub(data_dir: Path | None, split: str, task: str | None, seed: int) -> list[Example]:
    check_split(split)
    if split == "train":
        raise DataError(
            "BB-sub is an evaluation set (out-of-domain): it has a test split only",
            hint="use bbsub under `test:` in the config, or load split 'test'/'all'",
        )
    tasks = bbsub_rows(seed)["tasks"]
    if task is not None and task not in tasks:
        why = "a BBH source task, excluded" if task in EXCLUDED else "not a BB-sub task"
        raise ConfigError(
            f"{task!r} is {why}; BB-sub has {len(tasks)} tasks",
            hint=did_you_mean(task, tasks) or "see `skintern data stats --by-task`",
        )
    names = [task] if task else list(tasks)
    return [bbsub_example(name, row) for name in names for row in tasks[name]["rows"]]


def strategyqa_example(index: int, row: dict[str, Any], where: str) -> Example:
    """One BIG-bench StrategyQA example as a yes/no `Example` with its explanation."""
    parsed = choice_row(row)
    if parsed is None or {c.lower() for c in parsed[0]} != {"yes", "no"}:
        raise DataError("expected 'input' and target_scores {Yes, No} with one best", where=where)
    answer = parsed[0][parsed[1]].capitalize()
    target = str(row.get("target") or "")
    rationale = re.sub(r"^(yes|no)\b[.,:]?\s*", "", target.strip(), flags=re.IGNORECASE)
    return Example(
        id=f"strategyqa/{index}",
        dataset="strategyqa",
        task="strategyqa",
        question=row["input"].strip(),
        answer=answer,
        answer_type=AnswerType.YES_NO,
        meta={"index": index, "rationale": rationale} if rationale else {"index": index},
    )


@datasets.register("strategyqa")
def load_strategyqa(
    data_dir: Path | None, split: str, task: str | None, seed: int
) -> list[Example]:
    check_split(split)
    if task not in (None, STRATEGYQA):
        raise ConfigError(f"strategyqa has no subtasks; got task {task!r}", hint="leave it unset")
    rows = strategyqa_rows(seed)
    where = str(cache_folder() / STRATEGYQA / "examples.json")
    examples = [strategyqa_example(i, row, f"{where}: [{i}]") for i, row in enumerate(rows)]
    return split_items(examples, split, seed=seed, key=STRATEGYQA)


def _sdist_url(index_url: str) -> str:
    """The sdist's download URL from a PEP 691 (JSON) or PEP 503 (HTML) simple index page."""
    page = f"{index_url.rstrip('/')}/bigbench/"
    accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    request = urllib.request.Request(page, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        body, kind = response.read(), response.headers.get("content-type", "")
    if "json" in kind:
        urls = [f["url"] for f in json.loads(body)["files"] if f["filename"] == SDIST]
    else:
        urls = re.findall(rf'href="([^"]*/{re.escape(SDIST)}[^"]*)"', body.decode())
    if not urls:
        raise DataError(f"{SDIST} is not listed on the index", where=page)
    return urllib.parse.urljoin(page, urls[0])


def fetch(dest: Path | None = None, index_url: str | None = None) -> Path:
    """Download the BIG-bench sdist once (sha256-checked, written atomically); never installed.

    `pip download --no-deps bigbench==1.0.0` cannot do this: pip >= 26 builds the sdist's
    metadata and then refuses it (it declares a `file://` dependency), so the file is read from
    the same simple index pip uses (`$PIP_INDEX_URL`, else PyPI) and nothing of it is run.
    """
    path = dest or sdist_path()
    if path.is_file():
        return path
    index = index_url or os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple"
    digest = hashlib.sha256()
    try:
        url = _sdist_url(index)
        with urllib.request.urlopen(url, timeout=60) as response, atomic_open(path, "wb") as out:
            while block := response.read(1 << 20):
                digest.update(block)
                out.write(block)
            if digest.hexdigest() != SDIST_SHA256:
                raise DataError(f"sha256 mismatch: got {digest.hexdigest()}", where=url)
    except (OSError, ValueError, KeyError) as err:  # URLError is an OSError
        raise DataError(
            f"cannot download {SDIST}: {err}", where=index, hint="check the network or proxy"
        ) from None
    return path


def main(argv: list[str] | None = None) -> int:
    """`scripts/fetch_bigbench.sh [--seed N]`: fetch the sdist, then cache BB-sub and StrategyQA."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--seed", type=int, default=0, help="BB-sub sampling seed to cache.")
    parser.add_argument("--no-extract", action="store_true", help="Only download the sdist.")
    args = parser.parse_args(argv)
    try:
        started = time.time()
        path = fetch()
        print(f"sdist: {path} ({time.time() - started:.1f} s)")
        if not args.no_extract and not (cache_folder() / f"bbsub-seed{args.seed}.json").is_file():
            bbsub = extract(path, args.seed)
            count = sum(len(task["rows"]) for task in bbsub["tasks"].values())
            print(f"cached BB-sub ({len(bbsub['tasks'])} tasks, {count} questions) and "
                  f"StrategyQA in {cache_folder()} ({bbsub['seconds']} s)")  # fmt: skip
    except DataError as err:
        print(f"error: {err}" + (f"\nhint: {err.hint}" if err.hint else ""), file=sys.stderr)
        return 1
    return 0

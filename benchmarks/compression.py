"""Benchmark: knowledge compressors (speed, exact-rate error) and example retrieval time on BBH.

    .venv/bin/python benchmarks/compression.py [--student smollm2-135m] [--no-dense]

Compressors run over the BBH task-level knowledge bank (`bbh/knowledge/bbh-task-knowledge.jsonl`)
at rates 2/3 and 1/3; rates are measured in student tokens. LLMLingua-2 runs through the
`llmlingua` package when it is installed, on all-MiniLM-L6-v2 turned into a token classifier with
an untrained head (no LLMLingua-2 weights can be downloaded here): its speed and rate control are
real, its choice of words is not. It is shown twice: llmlingua's own rate handling (one call) and
skintern's `llmlingua2` compressor (rate searched to be exact). Retrieval: top-6 same-task
neighbours for every BBH training example that has a correct code-davinci-002 rationale.
Needs the shared data folder; prints Markdown tables.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from skintern.curriculum.compressors import CompressorContext, build, count_tokens
from skintern.curriculum.retrieval import build_pool, minilm_dir, top_k
from skintern.data import load
from skintern.models import load_model, load_tokenizer
from skintern.paths import data_root
from skintern.records import Knowledge, Rationale

RATES = (2 / 3, 1 / 3)


def knowledge_texts(root: Path) -> list[str]:
    path = root / "bbh" / "knowledge" / "bbh-task-knowledge.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [Knowledge.from_dict({"key": r["task"], **r}).text() for r in rows]


def minilm_token_classifier(work: Path) -> Path:
    """all-MiniLM-L6-v2 as a 2-label BertForTokenClassification folder (untrained head)."""
    source = minilm_dir()
    # llmlingua 0.2.2 tells word starts by the model's name ("##" pieces for this one), so the
    # folder carries the name of the WordPiece model it knows.
    folder = work / "minilm-as-bert-base-multilingual-cased"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("1_Pooling", "*.md"))
    config = json.loads((folder / "config.json").read_text())
    config.update(architectures=["BertForTokenClassification"], num_labels=2)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def measure(compress, tokenizer, texts: list[str], rate: float) -> dict[str, float]:
    errors, words = [], sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    outs = [compress(t, rate) for t in texts]
    seconds = time.perf_counter() - started
    for text, out in zip(texts, outs, strict=True):
        errors.append(count_tokens(tokenizer, out) / count_tokens(tokenizer, text) - rate)
    return {
        "words_per_s": words / seconds,
        "mean_abs_err": statistics.mean(abs(e) for e in errors),
        "max_abs_err": max(abs(e) for e in errors),
        "mean_err": statistics.mean(errors),
    }


def compressor_rows(student: str, texts: list[str], work: Path) -> list[tuple[str, float, dict]]:
    tokenizer = load_tokenizer(student)
    lm = load_model(student)
    ctx = CompressorContext(tokenizer, seed=0, scorer=lambda: lm)
    rows = []
    for name in ("selfinfo", "random", "truncate"):
        for rate in RATES:
            compressor = build(name, ctx)  # fresh per rate: selfinfo keeps its LM scores per text
            compressor.compress("Warm up the scorer once.", rate)
            rows.append((name, rate, measure(compressor.compress, tokenizer, texts, rate)))
    if importlib.util.find_spec("llmlingua") is None:
        print("llmlingua not installed: its rows are left out (pip install 'skintern[llmlingua]')")
        return rows
    ctx.llmlingua2_model = str(minilm_token_classifier(work))
    ours = build("llmlingua2", ctx)
    print(f"llmlingua2: offline tiktoken stand-in in use: {ours.offline}")
    for rate in RATES:
        raw = measure(lambda t, r: ours._run(t, r), tokenizer, texts, rate)
        rows.append(("llmlingua (package rate, 1 call)", rate, raw))
        rows.append(
            (
                "llmlingua2 (skintern, exact rate)",
                rate,
                measure(ours.compress, tokenizer, texts, rate),
            )
        )
    return rows


def replay_rationales(root: Path, train) -> list[Rationale]:
    """code-davinci-002's CoT per training example, kept when its final answer is the gold one."""
    by_task: dict[str, list] = {}
    out = []
    for example in train:
        if example.task not in by_task:
            path = root / "bbh" / "teacher-code-davinci-002" / f"{example.task}.json"
            by_task[example.task] = json.loads(path.read_text())["outputs"]
        row = by_task[example.task][example.meta["index"]]
        body, _, answer = row["prediction"].rpartition("So the answer is")
        if answer.strip().rstrip(".").strip("()").lower() == row["target"].strip("()").lower():
            text = f"{body.strip()} Therefore, the answer is {answer.strip()}"
            out.append(Rationale(example.id, example.task, 0, text, "replay:code-davinci-002"))
    return out


def retrieval_rows(root: Path, dense: bool) -> list[tuple[str, int, float]]:
    train, test = load("bbh", "train", seed=0), load("bbh", "test", seed=0)
    rationales = replay_rationales(root, train)
    pool = build_pool(train, rationales, test)
    queries = [e for e in train if e.id in {r.id for r in rationales}]
    rows = []
    for retriever in ("bm25", "dense") if dense else ("bm25",):
        started = time.perf_counter()
        top_k(queries, pool, 6, retriever=retriever, same_task=True)
        rows.append((retriever, len(queries), time.perf_counter() - started))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", default="smollm2-135m")
    parser.add_argument("--no-dense", action="store_true", help="skip dense retrieval")
    parser.add_argument("--no-compressors", action="store_true", help="retrieval only")
    args = parser.parse_args()
    root = data_root()
    texts = knowledge_texts(root)
    print(f"machine: {platform.machine()}, {platform.python_version()}; student {args.student}")
    print(f"{len(texts)} knowledge texts, {sum(len(t.split()) for t in texts)} words\n")
    rows = []
    if not args.no_compressors:
        with tempfile.TemporaryDirectory() as work:
            rows = compressor_rows(args.student, texts, Path(work))
    print("| compressor | rate | words/s | mean abs rate error | max abs | mean signed |")
    print("|---|---|---|---|---|---|")
    for name, rate, m in rows:
        print(
            f"| {name} | {rate:.3f} | {m['words_per_s']:,.0f} | {m['mean_abs_err']:.4f} | "
            f"{m['max_abs_err']:.4f} | {m['mean_err']:+.4f} |"
        )
    print("\n| retriever | queries (BBH train with a correct rationale) | seconds |")
    print("|---|---|---|")
    for retriever, n, seconds in retrieval_rows(root, not args.no_dense):
        print(f"| {retriever} | {n} | {seconds:.1f} |")


if __name__ == "__main__":
    main()

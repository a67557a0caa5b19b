"""Training throughput: `skintern train`'s loop against TRL's `SFTTrainer`, side by side.

Same student (SmolLM2-135M, LoRA r 32 on all linear layers), the same SKIntern step-1 records
(step S_1 = 1: full task knowledge + K similar worked examples + the question as the prompt, the
teacher rationale as the target: long prompts, short completions), the same batch settings and
optimizer; each trainer runs in its own child process so its peak memory is its own. Before
timing, both losses are computed on the same batch (ours: completion-only logits; TRL's: the
model's full-logit loss on TRL's collated labels) and must agree.

    .venv/bin/python benchmarks/train_throughput.py [--records 16] [--examples 3] [--steps 3]

Records: `--from-run RUN` takes RUN/curriculum/step-1.jsonl; otherwise they are rendered from
the shared BBH data (code-davinci-002 CoTs, task knowledge bank) with the curriculum's renderer.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch

from skintern.curriculum.render import skintern_prompt
from skintern.curriculum.retrieval import Shown
from skintern.files import read_json, read_jsonl
from skintern.paths import data_root

TASKS = ("date_understanding", "navigate", "object_counting", "sports_understanding")


def bbh_step1_records(n: int, k: int, seed: int = 0) -> list[dict[str, str]]:
    """Step-1 records from shared data: task knowledge, k same-task worked examples, question."""
    root = data_root()
    bank = {r["task"]: r for r in read_jsonl(root / "bbh/knowledge/bbh-task-knowledge.jsonl")}
    rng, records = random.Random(seed), []
    for i in range(n):
        task = TASKS[i % len(TASKS)]
        outputs = read_json(root / f"bbh/teacher-code-davinci-002/{task}.json")["outputs"]
        rows = [o for o in outputs if "So the answer is" in o["prediction"]]
        picks = rng.sample(range(len(rows)), k + 1)

        def question(row):
            return row["input"].rsplit("Q: ", 1)[-1].removesuffix("A: Let's think step by step.")

        shown = [
            Shown(str(j), task, question(rows[j]).strip(), rows[j]["prediction"].strip())
            for j in picks[1:]
        ]
        knowledge = (
            f"Learning Summary: {bank[task]['learning_summary']}\n"
            f"Supplementary Knowledge: {bank[task]['supplementary_knowledge']}"
        )
        target = (
            rows[picks[0]]["prediction"]
            .strip()
            .replace("So the answer is", "Therefore, the answer is")
        )
        prompt = skintern_prompt("", knowledge, shown, question(rows[picks[0]]).strip())
        records.append({"prompt": prompt, "target": target})
    return records


def encode(records, tokenizer, max_length):
    from skintern.train.encode import encode_records
    from skintern.train.methods.base import TrainRecord

    recs = [TrainRecord(str(i), r["prompt"], r["target"]) for i, r in enumerate(records)]
    return encode_records(recs, tokenizer, max_length, {})[0]


def peak_rss_gib() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 1024**3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def run_ours(args, records) -> dict:
    from accelerate import Accelerator

    from skintern.train.config import TrainConfig
    from skintern.train.loop import Run, StepPlan, train
    from skintern.train.model_setup import load_student

    cfg = TrainConfig(
        method="std-cot",
        model=args.model,
        epochs=1,
        batch_size=args.batch,
        grad_accum=args.accum,
        max_length=args.max_length,
        checkpoint_every=0,
        progress=False,
        resume=False,
        group_by_length=False,
        lr=2e-4,
        warmup_ratio=0.0,
        lr_scheduler="constant_with_warmup",
    )
    acc = Accelerator(cpu=not torch.cuda.is_available())
    model, tokenizer = load_student(cfg, acc.device)
    encoded = encode(records, tokenizer, args.max_length)
    out = Path(args.work) / "ours"
    started = time.time()
    summary = train(
        Run(cfg, model, tokenizer.pad_token_id, [StepPlan(1, 1.0, 1, encoded)], out, acc)
    )
    return {
        "tokens": summary["tokens"],
        "seconds": time.time() - started,
        "peak_gib": peak_rss_gib(),
    }


def run_trl(args, records) -> dict:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from skintern.models import load_model

    loaded = load_model(args.model, dtype="float32")
    tokenizer, encoded = loaded.tokenizer, encode(records, loaded.tokenizer, args.max_length)
    rows = [
        {
            "input_ids": list(e.prompt_ids + e.target_ids),
            "labels": [-100] * len(e.prompt_ids) + list(e.target_ids),
        }
        for e in encoded
    ]
    config = SFTConfig(
        output_dir=str(Path(args.work) / "trl"),
        per_device_train_batch_size=args.batch,
        gradient_accumulation_steps=args.accum,
        num_train_epochs=1,
        learning_rate=2e-4,
        lr_scheduler_type="constant",
        logging_steps=1,
        report_to="none",
        save_strategy="no",
        max_length=args.max_length,
        use_cpu=not torch.cuda.is_available(),
        bf16=False,
        gradient_checkpointing=False,  # TRL defaults it on; ours is off: same settings
        dataloader_drop_last=False,
        seed=0,
        disable_tqdm=True,
    )
    lora = LoraConfig(
        r=32, lora_alpha=64, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM"
    )
    trainer = SFTTrainer(
        model=loaded.model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=lora,
    )
    started = time.time()
    trainer.train()
    tokens = sum(len(r["input_ids"]) for r in rows)
    return {"tokens": tokens, "seconds": time.time() - started, "peak_gib": peak_rss_gib()}


def same_loss(args, records) -> dict:
    """Our completion-only loss vs the model's full-logit loss on TRL's collated batch."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from skintern.models import load_model
    from skintern.train.loss import CompletionLoss

    loaded = load_model(args.model, dtype="float32")
    encoded = encode(records[: args.batch], loaded.tokenizer, args.max_length)
    collator = DataCollatorForLanguageModeling(pad_token_id=loaded.tokenizer.pad_token_id)
    batch = collator(
        [
            {
                "input_ids": list(e.prompt_ids + e.target_ids),
                "labels": [-100] * len(e.prompt_ids) + list(e.target_ids),
            }
            for e in encoded
        ]
    )
    with torch.no_grad():
        theirs = loaded.model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            labels=batch["labels"],
        ).loss.item()
        weights = (batch["labels"] != -100).float()
        total, count = CompletionLoss(loaded.model)(
            batch["input_ids"], batch["attention_mask"], batch["labels"], weights
        )
    return {"ours": total.item() / count.item(), "trl": theirs}


def child(args) -> None:
    records = json.loads(Path(args.work, "records.json").read_text())
    result = {"ours": run_ours, "trl": run_trl, "loss": same_loss}[args.child](args, records)
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--records", type=int, default=16)
    parser.add_argument("--examples", type=int, default=3, help="K worked examples per prompt")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--accum", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--from-run", type=Path)
    parser.add_argument("--work", default="/tmp/skintern-train-bench")
    parser.add_argument("--child", choices=["ours", "trl", "loss"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    Path(args.work).mkdir(parents=True, exist_ok=True)
    if args.from_run:
        rows = read_jsonl(args.from_run / "curriculum" / "step-1.jsonl")[: args.records]
        records = [{"prompt": r["prompt"], "target": r["target"]} for r in rows]
    else:
        records = bbh_step1_records(args.records, args.examples)
    Path(args.work, "records.json").write_text(json.dumps(records))
    results = {}
    for name in ("loss", "ours", "trl"):
        cmd = [sys.executable, __file__, *sys.argv[1:], "--child", name]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if not line:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        results[name] = json.loads(line[-1][7:])
        print(f"{name}: {results[name]}", flush=True)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(
        f"model {args.model}, {args.records} SKIntern step-1 records, batch {args.batch} x "
        f"accum {args.accum}, LoRA r32 all-linear, fp32, {device}"
    )
    loss = results["loss"]
    print(
        f"same batch loss: ours {loss['ours']:.6f}  trl {loss['trl']:.6f}  "
        f"diff {abs(loss['ours'] - loss['trl']):.2e}"
    )
    for name in ("ours", "trl"):
        r = results[name]
        print(
            f"{name:5} {r['tokens'] / r['seconds']:9.1f} tokens/s  {r['seconds']:7.1f} s  "
            f"peak memory {r['peak_gib']:.2f} GiB"
        )
    speed = (results["ours"]["tokens"] / results["ours"]["seconds"]) / (
        results["trl"]["tokens"] / results["trl"]["seconds"]
    )
    print(f"ratio ours/trl: {speed:.2f}x tokens/s")


if __name__ == "__main__":
    main()

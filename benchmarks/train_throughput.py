"""Training throughput and memory: `skintern train`'s loop against TRL's `SFTTrainer`, side by side.

Same student (SmolLM2-135M, LoRA r 32 alpha 64 on all linear layers, dropout 0), same records,
same optimizer steps (`--batch 4` x `--accum 2` = 8 records; `train.batch_size` 4, which our
planner may cut into smaller passes) and optimizer, each trainer in its own child process
so that its peak memory (max RSS, or CUDA's max allocated) is its own. Two record sets: SKIntern
step-1 records (task knowledge + K worked examples + the question: long prompts, short
completions) and the Std-CoT records of the same questions (question only). Three rows each:

- `ours`: `skintern train` as it runs by default (precision, checkpointing and micro-batch chosen
  by `train.precision: auto`, `gradient_checkpointing: auto` and the batch planner);
- `trl-defaults`: `SFTConfig(use_cpu=True, ...)` as TRL leaves it (it turns bf16 and gradient
  checkpointing on by default; the script prints what it picked);
- `trl-equal`: TRL with our precision, checkpointing and micro-batch choice (the same
  optimizer step: `--batch x --accum` records).

Before timing, both losses are computed on one batch in fp32 and must agree. Tokens/s count real
tokens (padding excluded). The last line is JSON: ours / TRL ratios for the SKIntern step-1 records,
defaults against defaults and at equal settings.

    .venv/bin/python benchmarks/train_throughput.py [--records 8] [--examples 3]

Records: `--from-run RUN` takes RUN/curriculum/step-1.jsonl (and step-T for Std-CoT); otherwise
they are rendered from the shared BBH data (code-davinci-002 CoTs, task knowledge bank).
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

from skintern.curriculum.render import plain_prompt, skintern_prompt
from skintern.curriculum.retrieval import Shown
from skintern.files import read_json, read_jsonl
from skintern.paths import data_root

TASKS = ("date_understanding", "navigate", "object_counting", "sports_understanding")
LORA = {"r": 32, "alpha": 64, "dropout": 0.0}
LR = 2e-4


def bbh_records(n: int, k: int, seed: int = 0) -> dict[str, list[dict[str, str]]]:
    """SKIntern step-1 and Std-CoT records of the same `n` BBH questions, from shared data."""
    root = data_root()
    bank = {r["task"]: r for r in read_jsonl(root / "bbh/knowledge/bbh-task-knowledge.jsonl")}
    rng, step1, std = random.Random(seed), [], []
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
        asked = question(rows[picks[0]]).strip()
        step1.append({"prompt": skintern_prompt("", knowledge, shown, asked), "target": target})
        std.append({"prompt": plain_prompt("", asked), "target": target})
    return {"skintern-step1": step1, "std-cot": std}


def encode(records, tokenizer, max_length):
    from skintern.train.encode import encode_records
    from skintern.train.methods.base import TrainRecord

    recs = [TrainRecord(str(i), r["prompt"], r["target"]) for i, r in enumerate(records)]
    return encode_records(recs, tokenizer, max_length, {})[0]


def peak_gib() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 1024**3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def run_ours(args, records) -> dict:
    """`skintern train`'s loop with every lean-training choice left at its default."""
    from skintern.train.config import TrainConfig
    from skintern.train.loop import Run, StepPlan, train
    from skintern.train.model_setup import compute_precision, load_student
    from skintern.train.stage import cpu_autocast, make_accelerator, plan_batches

    cfg = TrainConfig(
        method="std-cot",
        model=args.model,
        lora=LORA,
        epochs=1,
        batch_size=args.batch,
        grad_accum=args.accum,
        max_length=args.max_length,
        checkpoint_every=0,
        progress=False,
        resume=False,
        group_by_length=False,
        lr=LR,
        warmup_ratio=0.0,
        lr_scheduler="constant_with_warmup",
    )
    acc = make_accelerator(cfg)
    model, tokenizer = load_student(cfg, acc.device)
    encoded = encode(records, tokenizer, args.max_length)
    (plan,) = plan_batches(cfg, model, [StepPlan(1, 1.0, 1, encoded)], acc.device)
    out = Path(args.work) / "ours"
    started = time.time()
    run = Run(
        cfg, model, tokenizer.pad_token_id, [plan], out, acc, print, cpu_autocast(cfg, acc.device)
    )
    summary = train(run)
    return {
        "tokens": summary["tokens"],
        "seconds": time.time() - started,
        "peak_gib": peak_gib(),
        "precision": compute_precision(cfg, acc.device.type == "cuda"),
        "gradient_checkpointing": plan.checkpointing,
        "micro_batch": plan.micro_batch,
    }


def run_trl(args, records) -> dict:
    """TRL's `SFTTrainer` on the same token ids and labels; `--trl-mode` picks its settings."""
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
    settings, micro = {}, args.batch
    if args.trl_mode == "equal":  # our precision, checkpointing and micro-batch
        settings = {"bf16": args.equal_bf16, "gradient_checkpointing": args.equal_checkpointing}
        micro = args.equal_micro
    config = SFTConfig(
        output_dir=str(Path(args.work) / "trl"),
        per_device_train_batch_size=micro,
        gradient_accumulation_steps=args.batch * args.accum // micro,
        num_train_epochs=1,
        learning_rate=LR,
        lr_scheduler_type="constant",
        logging_steps=1,
        report_to="none",
        save_strategy="no",
        max_length=args.max_length,
        use_cpu=not torch.cuda.is_available(),
        dataloader_drop_last=False,
        seed=0,
        disable_tqdm=True,
        **settings,
    )
    lora = LoraConfig(
        r=LORA["r"],
        lora_alpha=LORA["alpha"],
        lora_dropout=LORA["dropout"],
        target_modules="all-linear",
        task_type="CAUSAL_LM",
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
    return {
        "tokens": tokens,
        "seconds": time.time() - started,
        "peak_gib": peak_gib(),
        "precision": "bf16" if config.bf16 else "fp16" if config.fp16 else "fp32",
        "gradient_checkpointing": bool(config.gradient_checkpointing),
        "micro_batch": micro,
    }


def same_loss(args, records) -> dict:
    """Our completion-only loss vs the model's full-logit loss on TRL's collated batch (fp32)."""
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
    records = json.loads(Path(args.work, "records.json").read_text())[args.records_set]
    result = {"ours": run_ours, "trl": run_trl, "loss": same_loss}[args.child](args, records)
    print("RESULT " + json.dumps(result))


def spawn(name: str, records_set: str, *extra: str) -> dict:
    cmd = [sys.executable, __file__, *sys.argv[1:], "--child", name]
    cmd += ["--records-set", records_set, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if not line:
        sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(line[-1][7:])


def tps(result: dict) -> float:
    return result["tokens"] / result["seconds"]


def compare(records_set: str) -> dict[str, dict]:
    """ours, trl-defaults, trl-equal on one record set, each in a fresh process."""
    ours = spawn("ours", records_set)
    equal = ["--trl-mode", "equal", "--equal-bf16", str(ours["precision"] == "bf16")]
    equal += ["--equal-checkpointing", str(ours["gradient_checkpointing"])]
    equal += ["--equal-micro", str(ours["micro_batch"])]
    rows = {
        "ours": ours,
        "trl-defaults": spawn("trl", records_set, "--trl-mode", "defaults"),
        "trl-equal": spawn("trl", records_set, *equal),
    }
    for name, r in rows.items():
        print(
            f"  {records_set:15} {name:13} {tps(r):7.1f} tokens/s {r['seconds']:7.1f} s  peak "
            f"{r['peak_gib']:5.2f} GiB  {r['precision']}, checkpointing "
            f"{'on' if r['gradient_checkpointing'] else 'off'}, micro-batch {r['micro_batch']}",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--records", type=int, default=8)
    parser.add_argument("--examples", type=int, default=3, help="K worked examples per prompt")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--accum", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--from-run", type=Path)
    parser.add_argument("--work", default="/tmp/skintern-train-bench")
    parser.add_argument("--child", choices=["ours", "trl", "loss"], help=argparse.SUPPRESS)
    parser.add_argument("--records-set", help=argparse.SUPPRESS)
    parser.add_argument("--trl-mode", choices=["defaults", "equal"], help=argparse.SUPPRESS)
    parser.add_argument("--equal-bf16", type=lambda v: v == "True", help=argparse.SUPPRESS)
    parser.add_argument("--equal-checkpointing", type=lambda v: v == "True", help=argparse.SUPPRESS)
    parser.add_argument("--equal-micro", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    Path(args.work).mkdir(parents=True, exist_ok=True)
    if args.from_run:
        steps = sorted((args.from_run / "curriculum").glob("step-*.jsonl"))
        records = {
            name: [{"prompt": r["prompt"], "target": r["target"]} for r in read_jsonl(path)]
            for name, path in (("skintern-step1", steps[0]), ("std-cot", steps[-1]))
        }
        records = {name: rows[: args.records] for name, rows in records.items()}
    else:
        records = bbh_records(args.records, args.examples)
    Path(args.work, "records.json").write_text(json.dumps(records))
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(
        f"model {args.model}, {args.records} records, micro-batch {args.batch} x accum "
        f"{args.accum}, LoRA r{LORA['r']} all-linear dropout {LORA['dropout']}, {device}"
    )
    loss = spawn("loss", "skintern-step1")
    print(
        f"same batch loss (fp32): ours {loss['ours']:.6f}  trl {loss['trl']:.6f}  "
        f"diff {abs(loss['ours'] - loss['trl']):.2e}",
        flush=True,
    )
    results = {name: compare(name) for name in ("skintern-step1", "std-cot")}
    step1 = results["skintern-step1"]
    summary = {
        "tokens_per_s_ratio": round(tps(step1["ours"]) / tps(step1["trl-defaults"]), 3),
        "peak_memory_ratio": round(
            step1["ours"]["peak_gib"] / step1["trl-defaults"]["peak_gib"], 3
        ),
        "equal_settings_tokens_per_s_ratio": round(tps(step1["ours"]) / tps(step1["trl-equal"]), 3),
        "equal_settings_peak_memory_ratio": round(
            step1["ours"]["peak_gib"] / step1["trl-equal"]["peak_gib"], 3
        ),
        "std_cot_tokens_per_s_ratio": round(
            tps(results["std-cot"]["ours"]) / tps(results["std-cot"]["trl-defaults"]), 3
        ),
        "loss_diff": abs(loss["ours"] - loss["trl"]),
        "ours": {
            k: step1["ours"][k] for k in ("precision", "gradient_checkpointing", "micro_batch")
        },
        "trl_defaults": {
            k: step1["trl-defaults"][k] for k in ("precision", "gradient_checkpointing")
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

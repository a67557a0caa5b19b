"""Which number format training and generation compute in, decided from the hardware.

bf16 halves activation memory everywhere, but it is only *faster* where the hardware has bf16
arithmetic: every recent GPU, and CPUs with AVX512-BF16 (AMD Zen 4 and later, Intel Cooper Lake)
or AMX (Intel Sapphire Rapids and later). Elsewhere oneDNN emulates it and fp32 wins, so `auto`
reads the CPU's flags instead of guessing; `benchmarks/train_throughput.py` measures the choice.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import torch

Precision = Literal["fp32", "bf16", "fp16"]
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
DTYPES: dict[str, torch.dtype] = {
    "fp32": torch.float32,
    "bf16": torch.bfloat16,
    "fp16": torch.float16,
}


@cache
def cpu_info() -> tuple[str, frozenset[str]]:
    """(CPU model name, its feature flags) from /proc/cpuinfo; ("unknown", {}) elsewhere."""
    name, flags = "unknown", frozenset()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name == "unknown":
                    name = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = frozenset(value.split())
    except OSError:
        pass
    return name, flags


def cpu_has_bf16(flags: frozenset[str] | None = None) -> bool:
    """True when the CPU computes bf16 natively (AVX512-BF16 or AMX)."""
    flags = cpu_info()[1] if flags is None else flags
    return any(flag in flags for flag in BF16_CPU_FLAGS)


def resolve_precision(
    requested: str, on_gpu: bool, flags: frozenset[str] | None = None
) -> Precision:
    """`auto`: bf16 on a GPU with bf16 (else fp16) and on a CPU with bf16 arithmetic; else fp32."""
    if requested != "auto":
        return requested  # type: ignore[return-value]
    if on_gpu:
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if cpu_has_bf16(flags) else "fp32"


def hardware_record(precision: str, on_gpu: bool) -> dict[str, object]:
    """What a manifest keeps so a run's speed and numbers can be traced to the hardware."""
    name, flags = cpu_info()
    record: dict[str, object] = {
        "precision": precision,
        "cpu": name,
        "cpu_bf16_flags": sorted(f for f in BF16_CPU_FLAGS if f in flags),
        "torch_threads": torch.get_num_threads(),
    }
    if on_gpu:
        record["gpu"] = torch.cuda.get_device_name()
    return record
